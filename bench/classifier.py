"""Measure message classification and emergency detection on the labelled set's test split.

Run from the repository root: `.venv/bin/python bench/classifier.py`.

The model is trained on the train split of beatdesk/inbox/classification/data/messages.tsv
and every figure is measured on the test split, which no rule, threshold or setting was
tuned on. `--dev` instead runs 4-fold cross-validation inside the train split (line i of the
train split in fold i % 4), which is what rules and settings were developed against.
`--show-failures` prints the ids and texts of missed emergencies, false alarms and wrong types.
"""

import argparse
import statistics
import time
from collections.abc import Sequence

from beatdesk.inbox.classification import (
    LabelledMessage,
    Model,
    analyse,
    examples,
    load_labelled_set,
    train,
)
from beatdesk.inbox.classification.evaluation import Evaluation, evaluate

FOLDS = 4


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def print_tables(title: str, result: Evaluation) -> None:
    print(f"\n### {title}\n")
    print("| type | precision | recall | messages |")
    print("| --- | --- | --- | --- |")
    for score in result.type_scores:
        print(
            f"| {score.case_type.value} | {percent(score.precision)} | {percent(score.recall)} "
            f"| {score.support} |"
        )
    print(f"| **all types (accuracy)** | | {percent(result.accuracy)} | {result.messages} |")
    print()
    print("| emergency detection | value | count |")
    print("| --- | --- | --- |")
    rows = [
        (
            "emergency recall",
            result.emergency_recall,
            result.emergencies_found,
            result.emergencies,
        ),
        (
            "right reason among emergencies",
            result.reasons_right / result.emergencies if result.emergencies else 0.0,
            result.reasons_right,
            result.emergencies,
        ),
        (
            "false alarms on near misses",
            result.near_miss_alarm_rate,
            result.near_miss_alarms,
            result.near_misses,
        ),
        (
            "false alarms on all non-emergencies",
            result.false_alarm_rate,
            result.false_alarms,
            result.non_emergencies,
        ),
        (
            "department right (not_police found as such)",
            result.departments_right / result.departments if result.departments else 0.0,
            result.departments_right,
            result.departments,
        ),
    ]
    for name, value, part, whole in rows:
        print(f"| {name} | {percent(value)} | {part}/{whole} |")


def show_failures(result: Evaluation, messages: Sequence[LabelledMessage]) -> None:
    by_id = {m.id: m for m in messages}
    print("\nmissed emergencies:")
    for identifier in result.missed:
        print(f"  {identifier} {by_id[identifier].emergency} {by_id[identifier].text}")
    print("false alarms:")
    for identifier in result.alarmed:
        print(f"  {identifier} {by_id[identifier].near_miss or '-'} {by_id[identifier].text}")
    print("wrong types:")
    for identifier, expected, predicted in result.mistyped:
        print(f"  {identifier} {expected} -> {predicted} {by_id[identifier].text}")


def time_predictions(model: Model, messages: Sequence[LabelledMessage]) -> tuple[float, float]:
    # CPU time of this process, because the shared machine's load inflates wall-clock time.
    durations = []
    for message in messages:
        start = time.process_time()
        analyse(message.text, model)
        durations.append(time.process_time() - start)
    durations.sort()
    p99 = durations[min(len(durations) - 1, int(0.99 * len(durations)))]
    return statistics.median(durations) * 1000, p99 * 1000


def run_test(messages: list[LabelledMessage], failures: bool) -> None:
    train_set = [m for m in messages if m.split == "train"]
    test_set = [m for m in messages if m.split == "test"]
    start, cpu_start = time.perf_counter(), time.process_time()
    model = train(examples(train_set))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"train={len(train_set)} test={len(test_set)}")
    print(f"training_seconds={seconds:.1f} (cpu {cpu:.1f})")
    print(f"model_json_bytes={len(model.to_json().encode())}")

    result = evaluate(test_set, model)
    print_tables("Rules and model (shipped), test split", result)
    print_tables("Rules only (no model), test split", evaluate(test_set, None))
    median, p99 = time_predictions(model, test_set)
    print(f"\nanalyse() per message, CPU time: median={median:.2f} ms p99={p99:.2f} ms")
    if failures:
        show_failures(result, test_set)


def run_dev(messages: list[LabelledMessage], failures: bool) -> None:
    train_set = [m for m in messages if m.split == "train"]
    pooled = Evaluation()
    results = []
    for fold in range(FOLDS):
        held = [m for i, m in enumerate(train_set) if i % FOLDS == fold]
        rest = [m for i, m in enumerate(train_set) if i % FOLDS != fold]
        results.append(evaluate(held, train(examples(rest))))
    for result in results:
        pooled.add(result)
    pooled.type_scores = []
    print(f"{FOLDS}-fold cross-validation on the train split ({len(train_set)} messages)")
    print_tables("Pooled folds", pooled)
    if failures:
        show_failures(pooled, train_set)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="cross-validate on the train split")
    parser.add_argument("--show-failures", action="store_true")
    arguments = parser.parse_args()
    messages = load_labelled_set()
    if arguments.dev:
        run_dev(messages, arguments.show_failures)
    else:
        run_test(messages, arguments.show_failures)


if __name__ == "__main__":
    main()
