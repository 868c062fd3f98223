"""The checker's entry point: normalize once, run every rule family, weigh the findings."""

import logging

from beatdesk.checker.core.findings import CheckResult, compute_risk, sort_findings
from beatdesk.checker.core.lexicon import CompiledLexicon, find_lexicon_terms
from beatdesk.checker.core.normalize import fold_for_terms, normalize
from beatdesk.checker.core.personal_data import find_personal_data
from beatdesk.checker.core.secrecy import find_secrets

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 100_000


class TextTooLongError(ValueError):
    """Raised for a text longer than `MAX_TEXT_LENGTH` characters; the API answers 413."""

    def __init__(self, length: int) -> None:
        super().__init__(
            f"The text has {length} characters; the checker accepts at most {MAX_TEXT_LENGTH}."
        )
        self.length = length


def check(text: str, lexicon: CompiledLexicon) -> CheckResult:
    """Check a text against a compiled lexicon and the built-in rules."""
    if len(text) > MAX_TEXT_LENGTH:
        raise TextTooLongError(len(text))

    view = normalize(text)
    term_view = fold_for_terms(view)
    findings = sort_findings(
        [
            *find_lexicon_terms(term_view, lexicon),
            *find_personal_data(view, text),
            *find_secrets(view, term_view),
        ]
    )

    result = CheckResult(findings, compute_risk(findings))
    # Counts only: the text itself may hold personal data and never goes to the log.
    logger.debug("checked length=%s findings=%s risk=%s", len(text), len(findings), result.risk)
    return result
