"""Masked spellings of personal data, and `mask`, which applies them to a whole text."""

from collections.abc import Iterable

from beatdesk.checker.core.findings import Category, Finding

MASK_CHARACTER = "*"

# Findings outside the personal data category whose suggestion is a masked spelling.
MASKED_SECRECY_RULES = frozenset({"secrecy.protected_name"})


def mask_characters(value: str, keep_first: int, keep_last: int) -> str:
    """Hide the letters and digits of `value` except the first and last few.

    Separators such as spaces and dashes stay, so the masked number keeps its shape.
    """
    significant = [index for index, character in enumerate(value) if character.isalnum()]
    hidden = set(significant[keep_first : max(keep_first, len(significant) - keep_last)])
    return "".join(
        MASK_CHARACTER if index in hidden else character for index, character in enumerate(value)
    )


def mask_digits(value: str) -> str:
    """Hide every digit of `value`, full-width ones included, and keep everything else."""
    return "".join(MASK_CHARACTER if character.isdigit() else character for character in value)


def mask(text: str, findings: Iterable[Finding]) -> str:
    """Return `text` with every personal data finding replaced by its masked spelling.

    Where findings overlap, the one that starts first (the longest at a tie) wins, so no
    character is masked twice and none is left half-masked.
    """
    pieces: list[str] = []
    position = 0
    for finding in sorted(_maskable(findings), key=lambda f: (f.start, -f.end)):
        if finding.start < position or finding.suggestion is None:
            continue
        pieces.extend((text[position : finding.start], finding.suggestion))
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


def _maskable(findings: Iterable[Finding]) -> list[Finding]:
    return [
        finding
        for finding in findings
        if finding.category is Category.PERSONAL_DATA or finding.rule in MASKED_SECRECY_RULES
    ]
