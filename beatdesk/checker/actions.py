"""Every change to a lexicon, and every check that decides something, goes through here."""

import io
import logging
import uuid
import zipfile
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from beatdesk.audit.actions import record
from beatdesk.checker.core import (
    CheckResult,
    LexiconEntry,
    LexiconFormatError,
    LineProblem,
    parse_lexicon,
)
from beatdesk.checker.core.lexicon_file import MIN_TERM_LENGTH
from beatdesk.checker.core.normalize import normalize_term
from beatdesk.checker.models import CheckRecord, Lexicon, LexiconTerm
from beatdesk.units.models import Unit, User

logger = logging.getLogger(__name__)
# Shown by the import page in the reader's language, like the core's line problems.
NOT_UTF8 = gettext_noop("The file is not UTF-8 text.")
FORMULA_CELL = gettext_noop(
    "A cell holds a formula; paste its value instead (Paste Special, Values) and import again."
)

# A 50,000-term lexicon as text is about 3 MB; anything far larger is a mistake.
MAX_LEXICON_BYTES = 10 * 1024 * 1024


class LexiconError(ValueError):
    """A lexicon change was refused; nothing was changed."""


def do_import_lexicon(
    actor: User | None,
    unit: Unit,
    data: bytes,
    filename: str,
    on_parsed: Callable[[int], object] | None = None,
) -> Lexicon:
    """Replace the terms of a unit's layer with a file's, all or nothing.

    The file is the documented tab-separated text (UTF-8) or an Excel workbook with the
    same columns on its first sheet. Terms the unit allows are kept: they are a separate
    list. Raises `LexiconFormatError` naming every bad line, or `LexiconError`.
    `on_parsed` hears how many terms the file holds once every line has been checked.
    """
    if len(data) > MAX_LEXICON_BYTES:
        raise LexiconError(_("The file is larger than 10 MB."))
    entries = parse_lexicon(_text_of(data, filename))
    if on_parsed is not None:
        on_parsed(len(entries))

    with transaction.atomic():
        lexicon = _locked_layer(unit)
        lexicon.terms.filter(allowed=False).delete()
        LexiconTerm.objects.bulk_create([_row(lexicon, entry) for entry in entries])
        _bump(lexicon, actor, "lexicon.imported", terms=len(entries))
    logger.info("lexicon imported unit=%s terms=%s", unit.pk, len(entries))
    return lexicon


def do_set_term(actor: User, unit: Unit, entry: LexiconEntry) -> LexiconTerm:
    """Add a term to a unit's layer, or replace what the layer says about it."""
    row = _row(Lexicon(unit=unit), entry)
    with transaction.atomic():
        lexicon = _locked_layer(unit)
        term, _created = LexiconTerm.objects.update_or_create(
            lexicon=lexicon,
            normalized=row.normalized,
            category=row.category,
            defaults={
                "term": row.term,
                "allowed": False,
                "severity": row.severity,
                "reason": row.reason,
                "suggestion": row.suggestion,
                "exceptions": row.exceptions,
                "exception_severity": row.exception_severity,
            },
        )
        _bump(lexicon, actor, "lexicon.term_set", term=term.pk)
    return term


def do_allow_term(actor: User, unit: Unit, text: str) -> LexiconTerm:
    """Stop reporting a term at a unit and below it, in whatever category levels above use."""
    normalized = normalize_term(text.strip())
    if len(normalized) < MIN_TERM_LENGTH:
        raise LexiconError(_("A term needs at least two visible characters."))
    if len(text.strip()) > 64:
        raise LexiconError(_("A term has at most 64 characters."))
    with transaction.atomic():
        lexicon = _locked_layer(unit)
        term, _created = LexiconTerm.objects.update_or_create(
            lexicon=lexicon,
            normalized=normalized,
            category="",
            defaults={"term": text.strip(), "allowed": True},
        )
        _bump(lexicon, actor, "lexicon.term_allowed", term=term.pk)
    return term


def do_remove_term(actor: User, term: LexiconTerm) -> None:
    """Remove a term or an allowance from its layer."""
    with transaction.atomic():
        lexicon = _locked_layer(term.lexicon.unit)
        term_id = term.pk
        LexiconTerm.objects.filter(pk=term_id, lexicon=lexicon).delete()
        _bump(lexicon, actor, "lexicon.term_removed", term=term_id)


def do_record_check(
    result: CheckResult,
    obj_type: str,
    obj_id: int | str,
    *,
    unit: Unit | None,
    actor: User | None,
    versions: str = "",
    confirmed: bool = False,
) -> CheckRecord:
    """Keep what a check found about something sent or held back: spans and rules only."""
    return CheckRecord.objects.create(
        object_type=obj_type,
        object_id=str(obj_id),
        unit=unit,
        risk=result.risk.value,
        findings=[
            {
                "start": finding.start,
                "end": finding.end,
                "rule": finding.rule,
                "category": finding.category.value,
                "severity": finding.severity.value,
            }
            for finding in result.findings
        ],
        lexicon_versions=versions,
        checked_by=actor,
        confirmed_by=actor if confirmed else None,
    )


def _locked_layer(unit: Unit) -> Lexicon:
    lexicon, _created = Lexicon.objects.get_or_create(unit=unit)
    return Lexicon.objects.select_for_update().get(pk=lexicon.pk)


def _bump(lexicon: Lexicon, actor: User | None, action: str, **ids: int) -> None:
    # A new version is what tells every process to rebuild its compiled matcher.
    lexicon.version += 1
    lexicon.stamp = uuid.uuid4()
    lexicon.save(update_fields=["version", "stamp", "updated_at"])
    record(action, lexicon, actor=actor, unit=lexicon.unit, version=lexicon.version, **ids)


def _row(lexicon: Lexicon, entry: LexiconEntry) -> LexiconTerm:
    if len(entry.term) > 64 or len(entry.reason) > 300 or len(entry.suggestion or "") > 300:
        raise LexiconError(_("A term has at most 64 characters, a reason 300."))
    if len(normalize_term(entry.term)) < MIN_TERM_LENGTH:
        raise LexiconError(_("A term needs at least two visible characters."))
    return LexiconTerm(
        lexicon=lexicon,
        term=entry.term,
        normalized=normalize_term(entry.term),
        category=entry.category.value,
        severity=entry.severity.value,
        reason=entry.reason,
        suggestion=entry.suggestion or "",
        exceptions="|".join(entry.exceptions),
        exception_severity=entry.exception_severity.value,
    )


def _text_of(data: bytes, filename: str) -> str:
    if filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        return _text_of_workbook(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LexiconFormatError([LineProblem(line, NOT_UTF8)]) from None


def _text_of_workbook(data: bytes) -> str:
    # Each row becomes one tab-separated line, so line numbers in errors are row numbers.
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=False).worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError):
        raise LexiconError(_("The file is not an Excel workbook (.xlsx).")) from None
    lines = []
    formulas: list[LineProblem] = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        # A formula's value is whatever the spreadsheet last computed, or nothing in a file
        # no spreadsheet has opened; a term must be what the file says, so it is refused.
        if any(getattr(cell, "data_type", None) == "f" for cell in row):
            formulas.append(LineProblem(number, FORMULA_CELL))
        values = [getattr(cell, "value", None) for cell in row]
        cells = ["" if value is None else str(value).strip() for value in values]
        if any("\t" in cell or "\n" in cell for cell in cells):
            cells = [" ".join(cell.split()) for cell in cells]
        lines.append("\t".join(cells).rstrip("\t"))
    if formulas:
        raise LexiconFormatError(formulas)
    return "\n".join(lines)
