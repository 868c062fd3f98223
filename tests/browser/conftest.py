"""Chromium, driven by Playwright, against the real server loaded with the demo.

The browser is Debian's Chromium (`apt-get install chromium`); no test downloads one.
Without it the browser tests are skipped, or fail when BEATDESK_REQUIRE_BROWSER is set,
as it is in CI. Everything here lives for the browser package only, so that Playwright's
event loop is gone before the database tests that follow run.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.browser.pages import DESK, PHONE, SIGN_IN_KEYS
from tests.browser.server import (
    Site,
    free_port,
    load_demo,
    server_environment,
    sign_in_keys,
    start_server,
    start_worker,
    stop,
    wait_until_serving,
)

CHROMIUM = Path("/usr/bin/chromium")
# Playwright starts Chromium on a fresh temporary profile of its own and removes it on close.
# Background networking stays off, and host names other than our own resolve to nothing,
# so that the browser talks to no host but the server under test.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# The first pages after start-up wait for gunicorn's workers to load Django and the checker.
WAIT_MILLISECONDS = 15_000
expect.set_options(timeout=WAIT_MILLISECONDS)


@pytest.fixture(scope="package")
def chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    message = f"the browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium"
    if os.environ.get("BEATDESK_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="package")
def site(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("browser-site")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_environment(home, base_url)
    log = home / "beatdesk.log"

    answered = load_demo(env, log)
    SIGN_IN_KEYS.update(sign_in_keys(env, log))
    process = start_server(env, port, log)
    worker = start_worker(env, log)
    try:
        wait_until_serving(process, base_url, log)
        yield Site(base_url=base_url, answered=answered, log=log, database=home / "db.sqlite3")
    finally:
        stop(worker)
        stop(process)


@pytest.fixture(scope="package")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open_page(browser: Browser, site: Site, viewport: ViewportSize) -> Iterator[Page]:
    """Yield a page in a context of its own; afterwards, check it went nowhere else."""
    context = browser.new_context(
        base_url=site.base_url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(WAIT_MILLISECONDS)
    elsewhere: list[str] = []
    context.on("request", lambda request: _note_foreign(site, request, elsewhere))
    page = context.new_page()
    problems: list[str] = []
    page.on("response", lambda response: _note_failed(response, problems))
    page.on("console", lambda message: _note_console_error(message, problems))
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not elsewhere, f"the page asked another host: {elsewhere}"
    assert not problems, f"the browser reported errors: {problems}"


def _note_foreign(site: Site, request: Request, elsewhere: list[str]) -> None:
    url = urlsplit(request.url)
    if url.scheme in {"http", "https", "ws", "wss"} and url.netloc != site.netloc:
        elsewhere.append(request.url)


def _note_failed(response: Response, problems: list[str]) -> None:
    if response.status >= 400:
        problems.append(f"{response.status} {response.url}")


def _note_console_error(message: ConsoleMessage, problems: list[str]) -> None:
    # Failed loads are judged by their response above, which names the address.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(message.text)


@pytest.fixture
def phone(browser: Browser, site: Site) -> Iterator[Page]:
    yield from _open_page(browser, site, PHONE)


@pytest.fixture
def desk(browser: Browser, site: Site) -> Iterator[Page]:
    yield from _open_page(browser, site, DESK)
