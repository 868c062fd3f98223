"""The checker's entry point: normalize once, run every rule family, weigh the findings."""

import logging
import re

from beatdesk.checker.core.deployment import find_deployment_details
from beatdesk.checker.core.findings import Category, CheckResult, compute_risk, sort_findings
from beatdesk.checker.core.lexicon import CompiledLexicon, find_lexicon_terms
from beatdesk.checker.core.masking import mask, mask_characters
from beatdesk.checker.core.normalize import fold_for_terms, normalize
from beatdesk.checker.core.personal_data import find_personal_data
from beatdesk.checker.core.readability import assess_readability
from beatdesk.checker.core.secrecy import find_secrets
from beatdesk.checker.core.wrong_characters import find_wrong_characters

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 100_000


class TextTooLongError(ValueError):
    """Raised for a text longer than `MAX_TEXT_LENGTH` characters; the API answers 413."""

    def __init__(self, length: int) -> None:
        super().__init__(
            f"The text has {length} characters; the checker accepts at most {MAX_TEXT_LENGTH}."
        )
        self.length = length


def check(text: str, lexicon: CompiledLexicon, *, wrong_characters: bool = False) -> CheckResult:
    """Check a text against a compiled lexicon and the built-in rules.

    The wrong-character rule is off unless asked for: it is several times slower than all
    the other rules together and loads about 95 MB of word data on first use, so it suits
    the check before publishing rather than the check on every keystroke.
    """
    if len(text) > MAX_TEXT_LENGTH:
        raise TextTooLongError(len(text))

    view = normalize(text)
    term_view = fold_for_terms(view)
    lexicon_findings = find_lexicon_terms(term_view, lexicon)
    officialese = [f for f in lexicon_findings if f.category is Category.OFFICIALESE]
    readability_findings, readability = assess_readability(view, term_view, officialese)
    findings = sort_findings(
        [
            *lexicon_findings,
            *find_personal_data(view, text),
            *find_secrets(view, term_view),
            *find_deployment_details(view),
            *readability_findings,
            *(find_wrong_characters(view) if wrong_characters else ()),
        ]
    )

    result = CheckResult(findings, compute_risk(findings), readability)
    # Counts only: the text itself may hold personal data and never goes to the log.
    logger.debug(
        "checked length=%s findings=%s risk=%s readability=%s",
        len(text),
        len(findings),
        result.risk,
        readability.score,
    )
    return result


def conceal(text: str) -> str:
    """Return `text` with its personal data, and names next to tipster or victim, masked.

    What a screen shows before anyone has asked, and been recorded, to see it whole: phone,
    ID, bank card and passport numbers, plates, e-mail and house numbers keep their shape
    with most characters hidden. Texts past the checker's length limit are masked in their
    first `MAX_TEXT_LENGTH` characters and cut there.
    """
    text = text[:MAX_TEXT_LENGTH]
    view = normalize(text)
    findings = [*find_personal_data(view, text), *find_secrets(view, fold_for_terms(view))]
    return _conceal_loosely(mask(text, findings))


# What the rules above pass over because it fails a checksum or is spaced out is masked
# anyway: a mistyped ID or card is as personal as a correct one. Any run of 11 digits or
# more (spaces and dashes allowed between them) keeps its first 3 and last 2 digits, and a
# plate written with spaces keeps its province and letter.
_LONG_NUMBER = re.compile(r"(?<![\d*])\d(?:[ \-]?\d){10,}(?![\d*])")
_SPACED_PLATE = re.compile(
    r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][ ·\-]?[A-Z])"
    r"([ ·\-]?)([A-Z0-9]{5,6})(?![A-Z0-9])"
)


def _conceal_loosely(text: str) -> str:
    text = _LONG_NUMBER.sub(lambda found: mask_characters(found.group(), 3, 2), text)
    return _SPACED_PLATE.sub(
        lambda found: found.group(1) + found.group(2) + mask_characters(found.group(3), 0, 1),
        text,
    )
