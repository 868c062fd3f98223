"""The NapCat stand-in posts signed events over real HTTP, as NapCat's HTTP client does."""

import pytest

from beatdesk.channels.models import Account
from beatdesk.channels.onebot.peer import OneBotPeer, at, cq_string, encode, signature, text
from beatdesk.inbox.models import Case
from tests.channels.onebot.events import fixture


def test_it_serialises_like_json_stringify_with_raw_utf8_and_no_spaces() -> None:
    assert encode({"a": "城南", "b": [1, None]}) == '{"a":"城南","b":[1,null]}'.encode()


def test_it_signs_the_exact_bytes_in_lower_case_headers_without_authorization() -> None:
    peer = OneBotPeer(30001, "s3cr3t")
    body = fixture("heartbeat")

    headers = peer.headers(body)

    assert headers == {
        "content-type": "application/json",
        "x-self-id": "30001",
        "x-signature": signature("s3cr3t", body),
    }


def test_it_escapes_text_and_values_when_it_renders_cq_codes() -> None:
    rendered = cq_string([at(10001), text("a[b],&c"), {"type": "x", "data": {"v": "1,2"}}])

    assert rendered == "[CQ:at,qq=10001]a&#91;b&#93;,&amp;c[CQ:x,v=1&#44;2]"


def test_it_posts_only_to_this_machine() -> None:
    with pytest.raises(ValueError, match="this machine"):
        OneBotPeer(30001, "s3cr3t").post("http://192.0.2.1/hooks/onebot/x/", b"{}")


def test_it_drives_the_real_endpoint_over_http_and_reads_the_quick_operation(
    live_server: object, onebot_account: Account, onebot_peer: OneBotPeer
) -> None:
    url = f"{live_server}{onebot_account.endpoint}"

    danger = onebot_peer.private_message(10001, "救命！有人拿着刀在我家楼下砍人，现在还在追！")
    answered = onebot_peer.post(url, encode(danger))
    heartbeat = onebot_peer.post(url, onebot_peer.heartbeat())
    forged = OneBotPeer(30001, "guessed-secret").post(url, fixture("group_message_array"))

    # Only a 110 answer rides in the quick operation; the tracking code comes by send_msg.
    assert answered.status == 200
    operation = answered.quick_operation
    assert operation is not None
    assert "请立即拨打110" in operation["reply"][0]["data"]["text"]
    assert Case.objects.get().resident.external_id == "private:10001"
    assert (heartbeat.status, heartbeat.quick_operation) == (204, None)
    assert forged.status == 403
