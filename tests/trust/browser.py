"""A resident's browser for the portal's write form, as far as the trust harness needs one.

It does what a browser does and nothing more: it opens the form page through the reverse
proxy (which names the resident's address in X-Forwarded-For), keeps the cookies the page
sets, reads the form's hidden fields, and later sends the form as multipart/form-data with
those cookies and its own Origin. Nothing of the product's checks is skipped: the CSRF
token, the signed form token, the honeypot and the minimum fill time all apply.
"""

import http.client
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from beatdesk.portal.humancheck import HONEYPOT_FIELD, MIN_FILL_TIME

# Fetch forms a few at a time, as the sending threads would.
OPENING_THREADS = 4
OPEN_TIMEOUT_SECONDS = 30


class HiddenFields(HTMLParser):
    """Collect the hidden inputs of the page's form, as a browser submits them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value", "")


@dataclass(frozen=True)
class FormOpened:
    """A form page a resident has open: its cookies, hidden fields and where they are."""

    port: int
    address: str
    cookie: str
    hidden: dict[str, str]
    page: str

    def filled(self, typed: dict[str, str]) -> tuple[dict[str, str], bytes]:
        """Return the headers and body of the form sent with what the resident typed.

        They are the same every time: a resend is the browser sending the form again.
        """
        values = self.hidden | typed | {HONEYPOT_FIELD: ""}
        boundary = "----BeatdeskTrustForm" + self.hidden["token"][-16:].replace(":", "")
        body = _multipart(values, boundary)
        origin = f"http://127.0.0.1:{self.port}"
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": self.cookie,
            "Origin": origin,
            "Referer": origin + self.page,
            "X-Forwarded-For": self.address,
        }
        return headers, body


def _multipart(values: dict[str, str], boundary: str) -> bytes:
    """Encode the fields and an empty photo input the way browsers do."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in values.items()
    ]
    # A file input left empty is still sent: no file name, no content.
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode("utf-8")


class Browser:
    """Open write forms on the server at 127.0.0.1:port, each in a fresh browser."""

    def __init__(self, port: int) -> None:
        self.port = port

    def open_form(self, address: str, station: str) -> FormOpened:
        page = f"/write/?{urlencode({'station': station})}"
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=OPEN_TIMEOUT_SECONDS
        )
        try:
            connection.request("GET", page, headers={"X-Forwarded-For": address})
            response = connection.getresponse()
            html = response.read().decode("utf-8")
            cookies = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
        finally:
            connection.close()
        if response.status != 200:
            raise AssertionError(f"the write form answered {response.status}")
        parser = HiddenFields()
        parser.feed(html)
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
        return FormOpened(self.port, address, cookie, parser.fields, page)

    def open_forms(
        self, numbers: list[int], address_of: Callable[[int], str], station: str
    ) -> dict[int, FormOpened]:
        """Open one form per number, then wait until the last may be sent."""
        pending, opened = deque(numbers), dict[int, FormOpened]()
        lock = threading.Lock()

        def work() -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    number = pending.popleft()
                form = self.open_form(address_of(number), station)
                with lock:
                    opened[number] = form

        threads = [threading.Thread(target=work, daemon=True) for _ in range(OPENING_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        missing = set(numbers) - set(opened)
        assert not missing, f"{len(missing)} forms could not be opened"
        # Nobody reads the page and writes in under MIN_FILL_TIME; the check counts in whole
        # seconds, so a little more is waited.
        time.sleep(MIN_FILL_TIME.total_seconds() + 1.0)
        return opened
