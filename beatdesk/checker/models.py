"""Lexicons per unit with versions, and the records of checks that decided something.

The checker's core (`beatdesk.checker.core`) takes compiled lexicons as plain data; these
models are where editors keep them. A unit's effective lexicon is the shipped default, then
the lexicons of its ancestors from the province down, then its own: a lower level may add
terms, change a term's wording or severity, or allow a term the levels above report.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beatdesk.checker.core import Category, Risk, Severity
from beatdesk.checker.core.lexicon import DEFAULT_SEVERITIES
from beatdesk.units.models import Unit

CATEGORY_LABELS = {
    Category.PROHIBITED: _("Prohibited"),
    Category.SENSITIVE: _("Sensitive"),
    Category.CARELESS: _("Careless or inappropriate"),
    Category.DISCRIMINATORY: _("Discriminatory or victim-blaming"),
    Category.EUPHEMISM: _("Euphemism that minimizes harm"),
    Category.OFFICIALESE: _("Officialese or stock phrase"),
    Category.OUTDATED_NAME: _("Outdated name or title"),
    Category.CONFUSED_WORDS: _("Commonly confused words"),
    Category.PERSONAL_DATA: _("Personal data"),
    Category.SECRECY: _("Police secret"),
    Category.WRONG_CHARACTER: _("Possibly wrong character"),
    Category.READABILITY: _("Readability"),
}
SEVERITY_LABELS = {
    Severity.BLOCK: _("Block"),
    Severity.REVIEW: _("Review"),
    Severity.ADVICE: _("Advice"),
}
RISK_LABELS = {Risk.LOW: _("Low"), Risk.MEDIUM: _("Medium"), Risk.HIGH: _("High")}

LEXICON_CATEGORY_CHOICES = [
    (category.value, CATEGORY_LABELS[category]) for category in DEFAULT_SEVERITIES
]
SEVERITY_CHOICES = [(severity.value, label) for severity, label in SEVERITY_LABELS.items()]
RISK_CHOICES = [(risk.value, label) for risk, label in RISK_LABELS.items()]


class Lexicon(models.Model):
    """A unit's own layer of terms; `version` grows with every change so caches know."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="lexicon")
    version = models.PositiveIntegerField(default=0)
    # Changes with every version; compiled matchers are cached under it, so a cache can
    # never mistake another database's (or a restored one's) layer for this one.
    stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lexicon")
        verbose_name_plural = _("lexicons")

    def __str__(self) -> str:
        return f"{self.unit.code} v{self.version}"


class LexiconTerm(models.Model):
    """One term of a unit's layer, or, with `allowed` set, a term the unit allows."""

    lexicon = models.ForeignKey(Lexicon, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(_("term"), max_length=64)
    # The term as the checker matches it (NFKC, simplified, fillers removed), for overlays.
    normalized = models.CharField(max_length=64, editable=False)
    allowed = models.BooleanField(_("allowed here"), default=False)
    category = models.CharField(
        _("category"), max_length=20, choices=LEXICON_CATEGORY_CHOICES, blank=True
    )
    severity = models.CharField(_("severity"), max_length=8, choices=SEVERITY_CHOICES, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    suggestion = models.CharField(_("suggestion"), max_length=300, blank=True)
    exceptions = models.CharField(
        _("context exceptions"),
        max_length=500,
        blank=True,
        help_text=_("Words that make the term legitimate nearby, separated by |."),
    )
    exception_severity = models.CharField(
        _("severity with an exception"), max_length=8, choices=SEVERITY_CHOICES, blank=True
    )

    class Meta:
        ordering = ["normalized", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["lexicon", "normalized", "category"], name="unique_term_per_layer"
            )
        ]

    def __str__(self) -> str:
        return self.term


class CheckRecord(models.Model):
    """What a check found in a text that was sent, held back or confirmed after review.

    Only rules, categories, severities and spans are kept, never the text or an excerpt:
    the object checked (an answer, a post, an inbound message) holds the text itself.
    """

    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    unit = models.ForeignKey(Unit, null=True, on_delete=models.PROTECT, related_name="+")
    risk = models.CharField(max_length=8, choices=RISK_CHOICES)
    findings = models.JSONField(default=list)
    lexicon_versions = models.CharField(max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.risk}"
