"""Fuzz one parser with atheris (libFuzzer, coverage-guided).

    .venv/bin/python -m tests.fuzz.run TARGET --seconds 30
    .venv/bin/python -m tests.fuzz.run TARGET --runs 1000000

The seeds are copied to a scratch corpus, so the repository is never written to; a crash
leaves its input in that scratch folder, whose path is printed. libFuzzer's last lines give
the number of executions (`stat::number_of_executed_units`). An input that takes longer than
`--timeout` seconds counts as a crash too: a parser that hangs on a crafted body is a denial
of service.
"""

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fuzz.targets import Target

# Enough for every real push (WeChat allows 2 KB of text, OneBot bodies are far smaller).
MAX_INPUT_BYTES = 16 * 1024


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target")
    budget = parser.add_mutually_exclusive_group(required=True)
    budget.add_argument("--seconds", type=int)
    budget.add_argument("--runs", type=int)
    parser.add_argument("--timeout", type=int, default=10)
    return parser.parse_args()


def main() -> None:
    arguments = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    import atheris  # type: ignore[import-untyped]

    from tests.fuzz.targets import targets

    target = targets()[arguments.target]
    for seed in target.seeds:
        _try(target, seed.read_bytes())
    # Django's app registry has imported every adapter (and so every parser) already, so
    # instrumenting imports would miss them. Instrumenting all that is loaded takes most of a
    # minute (Django's code too); Beatdesk's own functions are what an input can steer.
    for function in _functions_of_beatdesk():
        atheris.instrument_func(function)

    corpus = Path(tempfile.mkdtemp(prefix=f"beatdesk-fuzz-{arguments.target}-"))
    for seed in target.seeds:
        shutil.copy(seed, corpus / seed.name)
    print(f"corpus and any crash input: {corpus}", flush=True)

    budget = (
        f"-max_total_time={arguments.seconds}" if arguments.seconds else f"-runs={arguments.runs}"
    )
    libfuzzer = [
        sys.argv[0],
        str(corpus),
        budget,
        f"-timeout={arguments.timeout}",
        f"-max_len={MAX_INPUT_BYTES}",
        f"-artifact_prefix={corpus}/",
        "-rss_limit_mb=2048",
        "-print_final_stats=1",
    ]
    atheris.Setup(libfuzzer, lambda data: _try(target, data))
    atheris.Fuzz()


def _functions_of_beatdesk() -> list[types.FunctionType]:
    found: dict[int, types.FunctionType] = {}
    for name, module in list(sys.modules.items()):
        if name != "beatdesk" and not name.startswith("beatdesk."):
            continue
        for value in list(vars(module).values()):
            members = vars(value).values() if isinstance(value, type) else [value]
            for member in members:
                function = getattr(member, "__func__", member)
                if isinstance(function, types.FunctionType) and function.__module__ == name:
                    found[id(function)] = function
    return list(found.values())


def _try(target: "Target", data: bytes) -> None:
    with contextlib.suppress(*target.refusals):
        target.run(data)


if __name__ == "__main__":
    main()
