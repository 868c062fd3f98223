"""A OneBot API address set from the matrix page cannot make the server call its own insides."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from beatdesk.channels import outbox
from beatdesk.channels.models import Account, OutboxStatus
from beatdesk.channels.onebot.credentials import CredentialsError, check_api_base_url
from beatdesk.channels.onebot.fake_api import FakeOneBotAPI
from beatdesk.channels.onebot.peer import OneBotPeer
from tests.channels.onebot.test_matrix import ACCOUNT, UNIT, write_csv
from tests.channels.onebot.test_sending import answer, case_answered_automatically
from tests.conftest import Cast


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # The refusals are translated; these tests read them in English.
    with translation.override("en"):
        yield


@pytest.fixture
def production_networks(settings: Any) -> Any:
    # Production's default: no loopback or private network is trusted until listed.
    settings.ONEBOT_API_NETWORKS = []
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest",  # cloud metadata, link-local
        "http://[fe80::1]:3000",
        "http://0.0.0.0:3000",
        "http://224.0.0.1:3000",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_link_local_multicast_and_unspecified_addresses_are_never_allowed(
    settings: Any, url: str
) -> None:
    settings.ONEBOT_API_NETWORKS = ["0.0.0.0/0", "::/0"]

    with pytest.raises(CredentialsError, match="not allowed"):
        check_api_base_url(url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:3000", "http://10.20.3.4:3000", "http://localhost:3000"]
)
def test_loopback_and_private_addresses_are_refused_until_the_administrator_lists_them(
    production_networks: Any, url: str
) -> None:
    with pytest.raises(CredentialsError, match="not allowed"):
        check_api_base_url(url)

    production_networks.ONEBOT_API_NETWORKS = ["127.0.0.0/8", "::1/128", "10.20.0.0/16"]
    assert check_api_base_url(url + "/") == url


def test_a_public_address_and_a_name_that_does_not_resolve_yet_are_accepted(
    production_networks: Any,
) -> None:
    assert check_api_base_url("https://121.40.0.10:3000/") == "https://121.40.0.10:3000"
    assert check_api_base_url("http://napcat.invalid:3000") == "http://napcat.invalid:3000"


def test_an_operators_import_pointing_at_the_servers_loopback_changes_nothing(
    db: None, production_networks: Any, tmp_path: Path
) -> None:
    rows = [UNIT, ACCOUNT | {"api_base_url": "http://127.0.0.1:6379/"}]

    with pytest.raises(CommandError, match=r"127\.0\.0\.1 is not allowed"):
        call_command("import_matrix", str(write_csv(tmp_path, rows)))

    assert not Account.objects.exists()


def test_an_address_no_longer_allowed_is_refused_before_any_call_and_not_retried(
    cast: Cast,
    onebot_account: Account,
    onebot_peer: OneBotPeer,
    fake_onebot: FakeOneBotAPI,
    settings: Any,
) -> None:
    case = case_answered_automatically(
        onebot_account, onebot_peer, fake_onebot, "private_message", "private:10001"
    )
    row = answer(cast, case)
    settings.ONEBOT_API_NETWORKS = []

    outbox.relay_due()

    row.refresh_from_db()
    assert (row.status, row.last_error_code) == (OutboxStatus.FAILED, "address-refused")
    assert fake_onebot.calls == []
    onebot_account.refresh_from_db()
    assert onebot_account.needs_attention == "send-failed:address-refused"


def test_a_malformed_network_setting_stops_the_server_from_starting() -> None:
    environment = os.environ | {"BEATDESK_ONEBOT_API_NETWORKS": "10.20.0.0/16,station-lan"}

    done = subprocess.run(
        [sys.executable, "-c", "import beatdesk.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert "BEATDESK_ONEBOT_API_NETWORKS: 'station-lan' is not a network" in done.stderr
