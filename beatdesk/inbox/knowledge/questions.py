"""The labelled residents' questions that matching is tuned and measured on.

`data/questions.tsv` is UTF-8, tab-separated, one question a line after `#` comment lines
and a header: id, split, entry, question. `entry` is the id of the entry that answers the
question, or `none` when the knowledge base cannot. The split was drawn by `assign_splits`
(seed 5) before the calibration or the threshold were fitted, and is never changed: new
lines get a split of their own without moving any old one.
"""

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

logger = logging.getLogger(__name__)

QUESTIONS_PATH = Path(__file__).resolve().parent / "data" / "questions.tsv"
COLUMNS = ("id", "split", "entry", "question")
SPLITS = ("train", "test")
UNANSWERABLE = "none"
SPLIT_SEED = 5
TEST_SHARE = 0.3


class QuestionSetError(ValueError):
    """A line of the labelled questions is malformed; the message says which and why."""


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    """A resident's question and the entry that should answer it (`none` if none can)."""

    id: str
    split: str
    entry: str
    question: str

    @property
    def is_answerable(self) -> bool:
        return self.entry != UNANSWERABLE


def load_questions(path: Path = QUESTIONS_PATH) -> list[LabelledQuestion]:
    """Read the labelled questions; refuse the file if any line is wrong."""
    rows = [
        (number, line)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line and not line.startswith("#")
    ]
    if not rows or tuple(rows[0][1].split("\t")) != COLUMNS:
        raise QuestionSetError(f"{path.name}: the header must be {' '.join(COLUMNS)}")
    questions = [_question(line, number, path.name) for number, line in rows[1:]]
    if len({question.id for question in questions}) != len(questions):
        raise QuestionSetError(f"{path.name}: question ids must be unique")
    return questions


def _question(line: str, number: int, source: str) -> LabelledQuestion:
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        raise QuestionSetError(f"{source}, line {number}: expected {len(COLUMNS)} fields")
    identifier, split, entry, question = (field.strip() for field in fields)
    if split not in (*SPLITS, "") or not entry or not question:
        raise QuestionSetError(f"{source}, line {number} ({identifier}): bad split or empty")
    return LabelledQuestion(identifier, split, entry, question)


def assign_splits(questions: Sequence[LabelledQuestion]) -> list[LabelledQuestion]:
    """Give a split to every question without one, a share of each stratum to test.

    The strata are the answerable and the unanswerable questions. Questions that already
    have a split keep it, so adding lines never moves an old one between the parts.
    """
    generator = random.Random(SPLIT_SEED)
    result = list(questions)
    for answerable in (True, False):
        fresh = [i for i, q in enumerate(result) if not q.split and q.is_answerable == answerable]
        generator.shuffle(fresh)
        tests = round(len(fresh) * TEST_SHARE)
        for place, index in enumerate(fresh):
            result[index] = replace(result[index], split="test" if place < tests else "train")
    return result


def write_questions(questions: Sequence[LabelledQuestion], path: Path, header: str) -> None:
    """Write labelled questions with a `#` comment header, in the order given."""
    lines = [header.rstrip("\n"), "\t".join(COLUMNS)]
    lines.extend("\t".join((q.id, q.split, q.entry, q.question)) for q in questions)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
