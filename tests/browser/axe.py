"""Check a page against WCAG 2.1 A and AA with axe-core, installed from npm by `make`.

Playwright's `add_script_tag(path=...)` puts the file's text into an inline <script>, which
our Content-Security-Policy (`script-src 'self'`) refuses, as it should. So the source is
run through `page.evaluate`, which goes over the DevTools protocol that the page's policy
does not govern: the page under test keeps its real policy, unlike with `bypass_csp`.
"""

from functools import cache
from pathlib import Path
from typing import TypedDict

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


class Violation(TypedDict):
    id: str
    impact: str | None
    help: str
    targets: list[str]


@cache
def axe_source() -> str:
    assert AXE_SCRIPT.is_file(), "axe-core is missing: run `make venv` (npm ci)"
    return AXE_SCRIPT.read_text(encoding="utf-8")


def violations(page: Page) -> list[Violation]:
    """Return what axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found: list[Violation] = page.evaluate(RUN_AXE, WCAG_21_AA)
    return found


def describe(found: list[Violation]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {target}" for target in violation["targets"])
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    found = violations(page)
    assert not found, f"axe found on {page.url}:\n{describe(found)}"
