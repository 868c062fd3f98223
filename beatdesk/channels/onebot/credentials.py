"""The secrets of a OneBot account, read from the encrypted credentials column."""

import ipaddress
import json
import socket
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from beatdesk.channels.models import Account

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class CredentialsError(ValueError):
    """The account's stored credentials are incomplete or malformed."""


@dataclass(frozen=True)
class OneBotCredentials:
    """Where the OneBot HTTP API listens, its token, and the key events are signed with."""

    api_base_url: str
    access_token: str
    secret: str

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback through repr().
        return "OneBotCredentials(••••)"

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def check_api_base_url(value: str) -> str:
    """Return the URL without its trailing slash; raise CredentialsError unless it is usable.

    Usable means http(s) and, where the host is written as an address or resolves now, an
    address the system administrator lets OneBot APIs live at (see `check_api_host`).
    """
    check_api_host(_hostname(value), resolve_failure_ok=True)
    return value.rstrip("/")


def _hostname(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CredentialsError(_("the OneBot API address must be an http:// or https:// URL"))
    return parts.hostname


def check_api_host(host: str, resolve_failure_ok: bool = False) -> None:
    """Raise CredentialsError if the host is, or resolves to, an address we must not call.

    An operator sets this address from the matrix page, and the worker then POSTs to it
    with the access token: without this check the page would let staff make the server call
    its own loopback services or the cloud metadata address. Public addresses are fine;
    loopback and private ones only inside BEATDESK_ONEBOT_API_NETWORKS, where a station's
    NapCat really runs; link-local, multicast and unspecified addresses never.
    """
    try:
        addresses = _addresses_of(host)
    except OSError:
        if resolve_failure_ok:
            # A name that does not resolve yet is checked again before every call.
            return
        raise CredentialsError(_("the OneBot API host does not resolve")) from None
    for address in addresses:
        if not _callable(address):
            raise CredentialsError(
                _("the OneBot API address %(address)s is not allowed on this server")
                % {"address": address}
            )


def _addresses_of(host: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def _callable(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return False
    allowed = [ipaddress.ip_network(net, strict=False) for net in settings.ONEBOT_API_NETWORKS]
    if any(address.version == net.version and address in net for net in allowed):
        return True
    return address.is_global


def credentials_of(account: Account) -> OneBotCredentials:
    """Return the account's OneBot secrets; raise CredentialsError if they cannot be used.

    A signing secret is required in every environment: an event without a valid signature
    is indistinguishable from one anybody who knows the address could send.
    """
    try:
        data = json.loads(account.credentials or "{}")
    except json.JSONDecodeError:
        raise CredentialsError("credentials are not JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError("credentials are not a JSON object")

    secret = str(data.get("secret", ""))
    if not secret:
        raise CredentialsError("the account has no signing secret")
    access_token = str(data.get("access_token", ""))
    if not access_token:
        raise CredentialsError("the account has no access token for the OneBot API")
    # Only the form here: the client checks where the address points before every call,
    # so an address the administrator stops trusting fails as refused, not as unreadable.
    api_base_url = str(data.get("api_base_url", ""))
    _hostname(api_base_url)
    return OneBotCredentials(api_base_url.rstrip("/"), access_token, secret)
