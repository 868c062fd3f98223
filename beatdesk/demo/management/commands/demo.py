"""`beatdesk demo`: the platform on real input, from a fresh database, in one command."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from beatdesk.channels import outbox
from beatdesk.channels.matrix import import_matrix
from beatdesk.channels.models import Account, OutboxStatus
from beatdesk.channels.tasks import process_waiting_deliveries
from beatdesk.channels.wechat.credentials import credentials_of
from beatdesk.channels.wechat.fake_api import FakeWeChatAPI
from beatdesk.demo import replay
from beatdesk.demo.answers import answer_demo_cases, verify_demo_tips
from beatdesk.inbox.models import Case, ClassifierModel, Direction, Message, Priority
from beatdesk.inbox.triage import train_model
from beatdesk.portal.models import Jurisdiction
from beatdesk.units import second_factor
from beatdesk.units.models import Unit, User

DEMO_JURISDICTION = "hz.demo.beatdesk"
DEMO_JURISDICTION_UNIT = "hz"
DEMO_PASSWORD = "beatdesk-demo"  # noqa: S105 - printed for the demo's fake users


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class Command(BaseCommand):
    help = "Load the demo matrix, replay real WeChat pushes, answer some, and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="print a summary and exit")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--fake-wechat-port", type=int, default=8901)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        import_matrix(replay.DATA / "matrix.csv")
        self._set_demo_passwords()
        self._enrol_demo_authenticators()
        self._serve_open311()
        if not ClassifierModel.objects.exists():
            # A few seconds, once: the replayed messages then arrive typed with confidence.
            train_model()

        fake = self._start_fake_wechat(0 if options["no_serve"] else options["fake_wechat_port"])
        try:
            if options["no_serve"]:
                self._run_once(fake)
                self.stdout.write(f"demo finished in {time.monotonic() - started:.1f}s")
            else:
                self._serve(fake, options["bind"])
        finally:
            fake.stop()

    def _set_demo_passwords(self) -> None:
        # Argon2 is slow on purpose; the demo users share one password, so hash it once.
        users = [u for u in User.objects.filter(is_superuser=False) if not u.has_usable_password()]
        if users:
            User.objects.filter(pk__in=[u.pk for u in users]).update(
                password=make_password(DEMO_PASSWORD)
            )

    def _enrol_demo_authenticators(self) -> None:
        # Sign-in asks every staff member for a code; demo users get a key at once, printed
        # beside their name, so that a tester can add it to any authenticator app.
        staff = User.objects.filter(is_superuser=False)
        for user in staff.exclude(second_factor__confirmed_at__isnull=False):
            second_factor.enrol_for_demo(user)

    def _serve_open311(self) -> None:
        # Civic-reporting apps name a jurisdiction; the demo's covers the Hangzhou bureau.
        city = Unit.objects.get(code=DEMO_JURISDICTION_UNIT)
        Jurisdiction.objects.get_or_create(code=DEMO_JURISDICTION, defaults={"unit": city})

    def _start_fake_wechat(self, port: int) -> FakeWeChatAPI:
        fake = FakeWeChatAPI(port=port)
        for account in Account.objects.filter(kind="wechat"):
            fake.add_app(account.app_id, credentials_of(account).app_secret)
        base_url = fake.start()
        settings.WECHAT_API_BASE_URL = base_url
        os.environ["BEATDESK_WECHAT_API"] = base_url
        self.stdout.write(f"fake WeChat API on {base_url}")
        return fake

    def _replay_and_answer(self, base_url: str, fake: FakeWeChatAPI) -> None:
        pushes = replay.demo_pushes(replay.day_start_timestamp())
        for push in pushes:
            fake.note_user_message(push.openid)
        report = replay.replay(base_url, pushes)
        # The inbox step runs in a worker; the demo answers cases only once they exist.
        while process_waiting_deliveries():
            pass
        self.stdout.write(
            f"replayed {report.sent} of {len(pushes)} pushes through {base_url}"
            + (f"; failures: {', '.join(report.failures[:5])}" if report.failures else "")
        )
        answer_demo_cases()
        verify_demo_tips()
        # No worker runs beside the demo: it sends what the replay and the answers queued.
        outbox.relay_all_due()

    def _run_once(self, fake: FakeWeChatAPI) -> None:
        from beatdesk.wsgi import application

        server = make_server(
            "127.0.0.1", 0, application, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            self._replay_and_answer(f"http://127.0.0.1:{server.server_port}", fake)
        finally:
            server.shutdown()
        self._print_summary()

    def _print_summary(self) -> None:
        inbound = Message.objects.filter(direction=Direction.INBOUND).count()
        cases = Case.objects.count()
        sent = Message.objects.filter(outbox__status=OutboxStatus.SENT).count()
        automatic = Message.objects.filter(is_automatic=True).count()
        emergencies = Case.objects.filter(priority=Priority.EMERGENCY).count()
        known = Case.objects.exclude(auto_answered_at=None).count()
        self.stdout.write(
            f"messages received: {inbound}\ncases opened: {cases}\n"
            f"answers sent: {sent}\nautomatic replies: {automatic}\n"
            f"emergencies pointed to 110: {emergencies}\n"
            f"answered from the knowledge base: {known}"
        )

    def _serve(self, fake: FakeWeChatAPI, bind: str) -> None:
        # A plain `kill` must stop the server and worker too, not leave them running.
        signal.signal(signal.SIGTERM, _interrupt)
        use_public_url(f"http://{bind}")
        beatdesk = [sys.executable, "-m", "beatdesk"]
        children = [
            subprocess.Popen([*beatdesk, "serve", "--bind", bind]),  # noqa: S603
            subprocess.Popen([*beatdesk, "worker"]),  # noqa: S603
        ]
        try:
            base_url = f"http://{bind}"
            _wait_for(base_url + "/healthz")
            self._replay_and_answer(base_url, fake)
            self._print_summary()
            self._print_logins(base_url)
            children[0].wait()
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.wait(timeout=10)

    def _print_logins(self, base_url: str) -> None:
        self.stdout.write(f"\nBeatdesk is running at {base_url}/ (Ctrl-C stops it)")
        self.stdout.write(f"demo logins (password {DEMO_PASSWORD}; then a code from an")
        self.stdout.write(
            "authenticator app holding the user's key, or `beatdesk demo-code USER`):"
        )
        users = User.objects.filter(is_superuser=False).select_related("second_factor")
        for user in users.order_by("username"):
            roles = ", ".join(
                sorted({f"{a.role}@{a.unit.code}" for a in user.role_assignments.all()})
            )
            key = second_factor.grouped(str(user.second_factor.secret))
            self.stdout.write(f"  {user.username:<12} {user.display_name}  [{roles}]  key {key}")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url}")


def use_public_url(url: str) -> None:
    """Give residents the tracking address of the server they reached, unless one is set.

    The server and the worker read it from the environment when they start; this process
    read its settings before, and writes replies too (the replay's inbox steps, the demo's
    answers), so its own setting changes with it.
    """
    if os.environ.get("BEATDESK_PUBLIC_URL"):
        return
    os.environ["BEATDESK_PUBLIC_URL"] = url
    settings.PUBLIC_BASE_URL = url
