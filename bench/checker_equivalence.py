"""Show that a change to the checker's core leaves every result exactly as it was.

Record the results before the change and compare after it, from the repository root:

    .venv/bin/python bench/checker_equivalence.py record /tmp/checker-before.jsonl.gz
    .venv/bin/python bench/checker_equivalence.py compare /tmp/checker-before.jsonl.gz

The texts: both columns of every line of bench/data/cscd-ime-dev.tsv, the posts, messages
and first corpus chunks bench/checker.py builds, every string written in tests/checker, and
random texts spliced from those strings and from characters that normalization folds, drops
or expands. Each text is checked with the benchmark's 50,000-term lexicon and with the
default lexicon; the normalized view and the term view, offsets included, are compared too.
Python randomizes string hashing and `sort_findings` goes through a set, so the script runs
itself again with a fixed hash seed when none is set.
"""

import argparse
import ast
import gzip
import hashlib
import json
import os
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from checker import FULL, POSTS_FILE, Inputs, build_inputs

from beatdesk.checker.core import CompiledLexicon, check, compile_lexicon, load_default_lexicon
from beatdesk.checker.core.normalize import fold_for_terms, normalize

TESTS_FOLDER = Path(__file__).parent.parent / "tests" / "checker"
HASH_SEED = "0"
CORPUS_CHUNKS = 500
RANDOM_TEXTS = 20_000
RANDOM_SEED = 20240617
# Pieces random texts are spliced from: characters that normalization folds, drops or
# expands, separators inside numbers, brackets of document numbers and bits of every rule.
TRICKY_PIECES = (
    *"0123456789０１２３４５６７８９ -‐–—xXＸ",
    *"…℃㎡\u200b\u200c\u200d\ufeff\u00ad\u0301\u20dd\ufffe\u3000\t\n\r\u3164\u2800ﬁ①㊙",
    *"嚴禁買賣槍支彈藥電話號碼機密*._~·•|/\\'\"`^+=#@$%&<>🙂😀→━",
    *"〔〕[]()【】（）〈〉。，、；：！？,;:!?★☆ＡＢＣabcXYZ",
    "电话",
    "拨打",
    "机密★",
    "绝 密☆10年",
    "内部资料",
    "不 得 外 传",
    "公刑〔2024〕12号",
    "据浙公通字[2023]7号",
    "举报人王强说",
    "受害人：李明",
    "京A12345",
    "粤B·D12345",
    "E12345678",
    "护照号：G12345678",
    "abc.d@example.com",
    "幸福路12号",
    "3栋2单元",
    "明晚",
    "凌晨3时",
    "在幸福路口布控",
    "收网",
    "已抓获",
    "请市民绕行",
    "多措并举",
    "高度重视",
    "进一步",
    "138 0013 8000",
    "13800138000",
    "0571-87654321",
    "(010) 87654321",
    "6222021234567890128",
    "11010519491231002X",
    "案件编号：A3301020000002024010001",
    "J330102000000202401000123",
    "冰毒",
    "出售冰毒片剂",
)


def main(arguments: Sequence[str] | None = None) -> None:
    """Record or compare the results, after making string hashing repeatable."""
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        environment = {**os.environ, "PYTHONHASHSEED": HASH_SEED}
        os.execve(sys.executable, [sys.executable, *sys.argv], environment)  # noqa: S606

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["record", "compare"])
    parser.add_argument("path", type=Path)
    options = parser.parse_args(arguments)

    inputs = build_inputs(FULL)
    lexicons = {"bench": compile_lexicon(inputs.entries), "default": load_default_lexicon()}
    outcomes = dict(compute_outcomes(collect_texts(inputs), lexicons))
    if options.action == "record":
        record(options.path, outcomes)
    else:
        sys.exit(compare(options.path, outcomes))


def collect_texts(inputs: Inputs) -> list[str]:
    """Return every text to check, without duplicates, in a fixed order."""
    texts = [
        *posts_file_columns(),
        *inputs.posts,
        *inputs.messages,
        *inputs.corpus[:CORPUS_CHUNKS],
        *strings_in_tests(),
        *random_texts(inputs.messages),
    ]
    return list(dict.fromkeys(texts))


def posts_file_columns() -> Iterator[str]:
    """Yield both text columns of every line of the posts file."""
    for line in POSTS_FILE.read_text(encoding="utf-8").splitlines():
        yield from line.split("\t")[1:]


def strings_in_tests() -> Iterator[str]:
    """Yield every string constant written in the checker's tests."""
    for path in sorted(TESTS_FOLDER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
                yield node.value


def random_texts(messages: list[str]) -> Iterator[str]:
    """Yield texts spliced at random from tricky pieces and real messages.

    They do not draw on the tests' strings, so adding a test leaves them as they were.
    """
    generator = random.Random(RANDOM_SEED)
    for _ in range(RANDOM_TEXTS):
        chosen = generator.choices(TRICKY_PIECES, k=generator.randint(1, 40))
        if generator.random() < 0.3:
            message = generator.choice(messages)
            cut = generator.randrange(len(message))
            chosen += [message[:cut], *generator.choices(TRICKY_PIECES, k=3), message[cut:]]
        yield "".join(chosen)


def compute_outcomes(
    texts: list[str], lexicons: dict[str, CompiledLexicon]
) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield each text's digest key and the printed results of every step compared."""
    for text in texts:
        view = normalize(text)
        term_view = fold_for_terms(view)
        outcome = {
            "view": repr((view.text, list(view.offsets))),
            "term_view": repr((term_view.text, list(term_view.offsets))),
        }
        for name, lexicon in lexicons.items():
            result = check(text, lexicon)
            outcome[name] = repr((result.findings, result.risk, result.readability))
        yield digest(text), outcome


def digest(text: str) -> str:
    """Return a short key for a text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def record(path: Path, outcomes: dict[str, dict[str, str]]) -> None:
    """Write the outcomes as JSON lines, compressed."""
    with gzip.open(path, "wt", encoding="utf-8") as file:
        for key, outcome in outcomes.items():
            file.write(json.dumps({"key": key, **outcome}) + "\n")
    print(f"Recorded {len(outcomes):,} texts in {path}.")


def compare(path: Path, outcomes: dict[str, dict[str, str]]) -> int:
    """Compare the outcomes with a recording; print the differences and return 1 if any.

    Texts on one side only (a test added or removed since the recording) are counted but
    not compared.
    """
    with gzip.open(path, "rt", encoding="utf-8") as file:
        recorded = {row.pop("key"): row for row in map(json.loads, file)}
    common = [key for key in outcomes if key in recorded]
    differing = [key for key in common if recorded[key] != outcomes[key]]
    for key in differing[:5]:
        for step, before in recorded[key].items():
            if outcomes[key][step] != before:
                print(
                    f"{key} {step}:\n  before {before[:600]}\n  after  {outcomes[key][step][:600]}"
                )
    print(
        f"Compared {len(common):,} texts: {len(differing)} differ. Not compared: "
        f"{len(outcomes) - len(common)} new, {len(recorded) - len(common)} recorded only."
    )
    return 1 if differing or not common else 0


if __name__ == "__main__":
    main()
