"""Screenshots of the main screens, for people to look at.

Every run writes them under test-results/browser/ (ignored by git). With
BEATDESK_UPDATE_SCREENS=1 the run also refreshes the committed copies in docs/screens/,
so an ordinary test run never changes the work tree.
"""

import os
import shutil
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
RUN_SCREENS = ROOT / "test-results" / "browser"
DOC_SCREENS = ROOT / "docs" / "screens"


def save_screen(page: Page, name: str) -> Path:
    """Save what the viewport shows as NAME.png; copy it to docs/ when asked to."""
    RUN_SCREENS.mkdir(parents=True, exist_ok=True)
    path = RUN_SCREENS / f"{name}.png"
    # Hide the blinking caret so that a refresh does not change a picture for nothing.
    page.screenshot(path=path, caret="hide", animations="disabled")
    if os.environ.get("BEATDESK_UPDATE_SCREENS") == "1":
        DOC_SCREENS.mkdir(exist_ok=True)
        shutil.copyfile(path, DOC_SCREENS / path.name)
    return path
