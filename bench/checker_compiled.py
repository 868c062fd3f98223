"""Measure whether compiling the checker's core with mypyc brings check() near the bare scan.

Run from the repository root (about three minutes; the bench extra brings setuptools):

    .venv/bin/python bench/checker_compiled.py

The issue's goal is check() at most 3x a bare ahocorasick-rs scan. This asks whether a
compiler alone, with no rewrite, closes the gap: it copies `beatdesk/checker/core` to a
temporary folder, compiles every module but the wrong-character rule (off in check() by
default) with mypyc, and times check() and the bare scan in the same process, once with
the interpreted core and once with the compiled one, in alternating processes. The inputs
are bench/checker.py's, drawn with its seed: posts of 2,000 characters and a 50,000-term
lexicon. The report is Markdown, ready for bench/RESULTS.md.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ahocorasick_rs

ROOT = Path(__file__).resolve().parent.parent
CORE = Path("beatdesk") / "checker" / "core"
# The wrong-character rule is left out: check() runs it only when asked.
INTERPRETED_ONLY = {"__init__.py", "wrong_characters.py"}
# Finding sets its slots through their descriptors, an interpreter trick that mypyc refuses;
# the compiled copy uses the dataclass's own generated __init__, which mypyc compiles.
FAST_INIT_START = "@dataclass(frozen=True, slots=True, init=False)\nclass Finding:"
FAST_INIT_CODE = "    def __init__(\n        self,\n        start: int,"
AFTER_FINDING = "@dataclass(frozen=True, slots=True)\nclass SentenceScore:"


def main() -> None:
    """Compile a copy of the core, time both cores in turns, print the report."""
    options = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="beatdesk-mypyc-") as folder:
        compiled_root = Path(folder)
        build_seconds = compile_core(compiled_root)
        runs: dict[str, list[dict[str, float]]] = {"interpreted": [], "compiled": []}
        for _ in range(options.rounds):
            runs["interpreted"].append(measure_in_process(ROOT, options.posts))
            runs["compiled"].append(measure_in_process(compiled_root, options.posts))
    print(report(runs, build_seconds, options))


def parse_arguments() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="processes per core")
    parser.add_argument("--posts", type=int, default=60, help="posts timed per process")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    return parser.parse_args()


def compile_core(destination: Path) -> float:
    """Copy the checker package to `destination` and compile its core; return the seconds."""
    for package in (Path("beatdesk"), Path("beatdesk") / "checker"):
        (destination / package).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / package / "__init__.py", destination / package / "__init__.py")
    shutil.copytree(ROOT / CORE, destination / CORE)
    shutil.copytree(ROOT / "beatdesk" / "checker" / "data", destination / "beatdesk/checker/data")
    use_generated_init(destination / CORE / "findings.py")

    modules = sorted(
        str(CORE / path.name)
        for path in (destination / CORE).glob("*.py")
        if path.name not in INTERPRETED_ONLY
    )
    mypyc = Path(sys.executable).parent / "mypyc"
    started = time.monotonic()
    subprocess.run(
        [str(mypyc), "--strict", *modules],
        cwd=destination,
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started


def use_generated_init(findings: Path) -> None:
    """Replace Finding's hand-written __init__ with the dataclass's generated one."""
    source = findings.read_text(encoding="utf-8")
    start, end = source.index(FAST_INIT_START), source.index(AFTER_FINDING)
    block = source[start:end].replace("init=False", "")
    block = block.replace("(frozen=True, slots=True, )", "(frozen=True, slots=True)")
    block = block[: block.index(FAST_INIT_CODE)] + "\n\n"
    findings.write_text(source[:start] + block + source[end:], encoding="utf-8")


def measure_in_process(root: Path, posts: int) -> dict[str, float]:
    """Run `measure` in a fresh interpreter that imports the core from `root`."""
    environment = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, __file__, "--measure", str(root), "--posts", str(posts)]
    finished = subprocess.run(
        command, env=environment, cwd=ROOT, check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(finished.stdout.splitlines()[-1])
    return result


def measure(root: Path, posts: int) -> dict[str, float]:
    """Time check() and the bare scan on the same posts, taking turns; medians of 5 passes."""
    # Imported here, in the measuring process only, where PYTHONPATH names the core to time.
    sys.path.insert(0, str(ROOT / "bench"))
    import checker

    from beatdesk.checker.core import check, checking, compile_lexicon

    # A function mypyc compiled has no Python code object.
    compiled = not hasattr(check, "__code__")
    imported_from_root = Path(checking.__file__).resolve().is_relative_to(root)
    settings = checker.Settings(2000, 100, 10_000, 50_000, posts, 5, 1, 1, 0, 60.0)
    inputs = checker.build_inputs(settings)
    lexicon = compile_lexicon(inputs.entries)
    bare = ahocorasick_rs.AhoCorasick(inputs.terms, matchkind=ahocorasick_rs.MatchKind.Standard)
    matchers = {
        "check": lambda text: check(text, lexicon),
        "bare": lambda text: bare.find_matches_as_indexes(text, overlapping=True),
    }
    passes: dict[str, list[float]] = {name: [] for name in matchers}
    for _ in range(5):
        times = checker.time_in_turns(matchers, inputs.posts)
        for name, seconds in times.items():
            passes[name].append(statistics.median(seconds) * 1000)
    return {
        "compiled": float(compiled),
        "from_root": float(imported_from_root),
        "check_ms": statistics.median(passes["check"]),
        "bare_ms": statistics.median(passes["bare"]),
    }


def report(
    runs: dict[str, list[dict[str, float]]], build_seconds: float, options: argparse.Namespace
) -> str:
    """Return the Markdown table of both cores and their ratios to the bare scan."""
    lines = [
        f"{options.rounds} processes per core, taking turns; each times {options.posts} posts "
        "of 2,000 characters with the 50,000-term lexicon, medians of 5 passes (thread CPU).",
        f"mypyc compiled the core in {build_seconds:.0f} s.",
        "",
        "| core | check() post p50 ms | bare scan post p50 ms | check() / bare |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, measured in runs.items():
        if not all(run["from_root"] for run in measured):
            raise SystemExit(f"The {name} core was imported from elsewhere; nothing to compare.")
        if any(run["compiled"] for run in measured) != (name == "compiled"):
            raise SystemExit(f"The {name} core is not what it should be; nothing to compare.")
        check_ms = statistics.median(run["check_ms"] for run in measured)
        bare_ms = statistics.median(run["bare_ms"] for run in measured)
        ratio = statistics.median(run["check_ms"] / run["bare_ms"] for run in measured)
        lines.append(f"| {name} | {check_ms:.3f} | {bare_ms:.3f} | {ratio:.1f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--measure" in sys.argv:
        arguments = parse_arguments()
        print(json.dumps(measure(Path(arguments.measure), arguments.posts)))
    else:
        main()
