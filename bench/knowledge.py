"""Measure automatic answers from the knowledge base on the labelled questions' test part.

Run from the repository root: `.venv/bin/python bench/knowledge.py`.

Entries: beatdesk/inbox/knowledge/data/common.toml. Questions:
beatdesk/inbox/knowledge/data/questions.tsv, whose split was drawn (seed 5) before anything
was fitted. `--fit` fits the confidence calibration and chooses the threshold on the train
part only and prints them, to be copied into matching.CALIBRATION and
decisions.DEFAULT_THRESHOLD; the default run measures the shipped values on the test part.
`--show-failures` prints the questions auto-answered wrongly and those whose right entry was
not among the three proposals.
"""

import argparse
import time

from beatdesk.inbox.knowledge import (
    DEFAULT_THRESHOLD,
    Knowledge,
    LabelledQuestion,
    load_layer,
    load_questions,
    match,
    overlay,
)
from beatdesk.inbox.knowledge.evaluation import (
    TARGET_PRECISION,
    Evaluation,
    choose_threshold,
    evaluate,
    fit_calibration,
)
from beatdesk.inbox.knowledge.matching import CALIBRATION


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a"


def print_table(title: str, result: Evaluation) -> None:
    print(f"\n### {title}\n")
    print("| figure | value |")
    print("| --- | --- |")
    rows = [
        (
            "auto-answer precision (right entry among auto-sent)",
            result.auto_right,
            result.auto_sent,
        ),
        (
            "coverage (answerable questions auto-sent)",
            result.auto_on_answerable,
            result.answerable,
        ),
        ("answerable questions auto-sent the right entry", result.auto_right, result.answerable),
        (
            "wrong auto-answers on `none` questions",
            result.auto_on_unanswerable,
            result.unanswerable,
        ),
        (
            "top-3 recall of proposals (answerable, not auto-sent)",
            result.proposed_right_in_top3,
            result.proposed_answerable,
        ),
        ("top-1 right (answerable)", result.top1_right, result.answerable),
        ("top-3 right (answerable)", result.top3_right, result.answerable),
    ]
    for name, part, whole in rows:
        print(f"| {name} | {percent(part, whole)} |")


def print_reliability(questions: list[LabelledQuestion], knowledge: Knowledge) -> None:
    """Print how often the best entry is right in each band of its confidence."""
    bands = [(0.0, 0.5), (0.5, 0.7), (0.7, DEFAULT_THRESHOLD), (DEFAULT_THRESHOLD, 1.01)]
    print("\n| confidence of the best entry | questions | mean confidence | best entry right |")
    print("| --- | --- | --- | --- |")
    for low, high in bands:
        inside = []
        for question in questions:
            best = match(question.question, knowledge, k=1)
            confidence = best[0].confidence if best else 0.0
            if low <= confidence < high:
                inside.append((confidence, bool(best) and best[0].entry_id == question.entry))
        mean = sum(c for c, _ in inside) / len(inside) if inside else 0.0
        right = sum(r for _, r in inside)
        print(
            f"| {low:.2f} to {min(high, 1):.2f} | {len(inside)} | {mean:.2f} "
            f"| {percent(right, len(inside))} |"
        )


def show_failures(
    result: Evaluation, questions: list[LabelledQuestion], knowledge: Knowledge
) -> None:
    by_id = {question.id: question for question in questions}
    print("\nwrong automatic answers:")
    for identifier in result.wrong_auto:
        question = by_id[identifier]
        best = match(question.question, knowledge, k=1)[0]
        got = f"{best.entry_id} {best.confidence}"
        print(f"  {identifier} {question.entry} -> {got} {question.question}")
    print("right entry not among the proposals:")
    for question in questions:
        candidates = match(question.question, knowledge, k=3)
        if question.is_answerable and question.entry not in [c.entry_id for c in candidates]:
            got = " ".join(f"{c.entry_id}:{c.confidence}" for c in candidates)
            print(f"  {question.id} {question.entry} -> {got or '-'} {question.question}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit on the train part and print")
    parser.add_argument("--show-failures", action="store_true")
    arguments = parser.parse_args()

    knowledge = Knowledge(overlay([load_layer()]))
    questions = load_questions()
    train = [question for question in questions if question.split == "train"]
    test = [question for question in questions if question.split == "test"]
    answerable = sum(question.is_answerable for question in questions)
    print(
        f"entries={len(knowledge.entries)} questions={len(questions)} answerable={answerable} "
        f"none={len(questions) - answerable} train={len(train)} test={len(test)}"
    )
    if arguments.fit:
        print(f"calibration fitted on train: {fit_calibration(train, knowledge)}")
        print("(copy it into matching.CALIBRATION, then run --fit again for the threshold)")
        threshold, result = choose_threshold(train, knowledge)
        print(f"threshold for train precision >= {TARGET_PRECISION:.0%}: {threshold}")
        print_table(f"Train part at threshold {threshold}", result)
        if arguments.show_failures:
            show_failures(result, train, knowledge)
        return

    print(f"calibration={CALIBRATION} threshold={DEFAULT_THRESHOLD}")
    result = evaluate(test, knowledge, DEFAULT_THRESHOLD)
    print_table(f"Test part at threshold {DEFAULT_THRESHOLD}", result)
    print_reliability(test, knowledge)
    started = time.process_time()
    for question in questions:
        match(question.question, knowledge)
    per_question = (time.process_time() - started) / len(questions) * 1000
    print(f"\nmatch() per question, CPU time: mean={per_question:.2f} ms")
    if arguments.show_failures:
        show_failures(result, test, knowledge)


if __name__ == "__main__":
    main()
