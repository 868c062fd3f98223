"""`beatdesk train-classifier`: train on the shipped set and officers' corrections."""

from typing import Any

from django.core.management.base import BaseCommand

from beatdesk.inbox.triage import train_model


class Command(BaseCommand):
    help = "Train the message classifier (shipped examples plus officers' corrections)."

    def handle(self, *args: Any, **options: Any) -> None:
        row, figures = train_model()
        accuracy = figures.correct_types / figures.messages if figures.messages else 0.0
        recall = figures.emergencies_found / figures.emergencies if figures.emergencies else 1.0
        self.stdout.write(
            f"model {row.pk}: {row.shipped_examples} shipped examples, "
            f"{row.corrections} corrections"
        )
        self.stdout.write(
            f"on the shipped test part: types right {accuracy:.1%} of {figures.messages}, "
            f"emergencies found {figures.emergencies_found} of {figures.emergencies} "
            f"({recall:.0%}), false alarms {figures.false_alarms} of {figures.non_emergencies}"
        )
