"""Weibo payloads are read into typed objects, with every id taken as text from idstr."""

from datetime import UTC, datetime

import pytest

from beatdesk.channels.weibo.schemas import (
    COMMENT_MENTIONS,
    COMMENTS_TO_ME,
    STATUS_MENTIONS,
    PayloadError,
    delivery_payload,
    parse_page,
    parse_polled,
    parse_push,
)
from beatdesk.inbox.intake import Event
from beatdesk.inbox.models import MessageKind
from tests.channels.weibo.conftest import fixture_bytes


def test_it_reads_ids_past_two_to_the_53_exactly_from_idstr() -> None:
    page = parse_page(fixture_bytes("comments_to_me"), COMMENTS_TO_ME)

    assert [item.item_id for item in page.items] == ["9007199254741013", "9007199254741007"]
    assert page.newest_id == "9007199254741013"
    assert page.oldest_id == "9007199254741007"
    assert not page.has_more


def test_it_skips_a_null_and_an_entry_whose_big_id_is_only_a_number() -> None:
    page = parse_page(fixture_bytes("comments_to_me_unreadable_entries"), COMMENTS_TO_ME)

    assert page.skipped == 2
    assert [item.item_id for item in page.items] == ["9007199254741017", "9007199254741007"]


def test_it_refuses_a_stored_item_without_an_author() -> None:
    page = parse_page(fixture_bytes("comments_to_me_unreadable_entries"), COMMENTS_TO_ME)

    with pytest.raises(PayloadError, match="author"):
        parse_polled(delivery_payload(COMMENTS_TO_ME, page.items[0]))


def test_it_reads_a_comment_with_its_post_and_the_comment_it_answers() -> None:
    page = parse_page(fixture_bytes("comments_mentions"), COMMENT_MENTIONS)

    item = parse_polled(delivery_payload(COMMENT_MENTIONS, page.items[0]))

    assert item.external_id == "public:6000000001"
    assert item.attributes() == {
        "stream": "comments_mentions",
        "item_kind": "comment",
        "comment_id": "9007199254741021",
        "status_id": "9007199254741001",
        "reply_to_comment_id": "9007199254741007",
    }
    assert item.created_at == datetime(2026, 12, 4, 2, 1, 5, tzinfo=UTC)


def test_it_reads_a_post_that_mentions_the_account_as_the_post_to_comment_under() -> None:
    page = parse_page(fixture_bytes("statuses_mentions"), STATUS_MENTIONS)

    item = parse_polled(delivery_payload(STATUS_MENTIONS, page.items[0]))

    assert (item.item_kind, item.status_id) == ("status", "9007199254741033")
    assert "comment_id" not in item.attributes()
    assert item.text.startswith("@城南派出所 我的电动车")


def test_it_keeps_markup_in_a_comment_literally() -> None:
    page = parse_page(fixture_bytes("comments_to_me"), COMMENTS_TO_ME)

    item = parse_polled(delivery_payload(COMMENTS_TO_ME, page.items[0]))

    assert item.text == "请问事故路段现在能通行了吗？<b>急</b> &amp; #城南路#"


@pytest.mark.parametrize(
    ("name", "kind", "event"),
    [
        ("push_text", MessageKind.TEXT, ""),
        ("push_image", MessageKind.IMAGE, ""),
        ("push_position", MessageKind.LOCATION, ""),
        ("push_event_follow", MessageKind.EVENT, Event.SUBSCRIBE),
        ("push_event_unfollow", MessageKind.EVENT, Event.UNSUBSCRIBE),
        ("push_event_click", MessageKind.EVENT, Event.CLICK),
    ],
)
def test_it_reads_each_push_type_of_the_fan_service_platform(
    name: str, kind: MessageKind, event: str
) -> None:
    push = parse_push(fixture_bytes(name).decode())

    incoming = push.to_incoming()

    assert push.is_known
    assert (incoming.external_id, incoming.kind, incoming.event) == (
        "private:6000000001",
        kind,
        event,
    )


def test_it_reads_a_push_of_a_type_it_does_not_know_as_unknown() -> None:
    push = parse_push(fixture_bytes("push_mention").decode())

    assert (push.type, push.is_known) == ("mention", False)


def test_it_refuses_a_push_with_a_time_not_in_weibo_format() -> None:
    body = fixture_bytes("push_text").decode().replace("Fri Dec 04 12:00:01 +0800 2026", "now")

    with pytest.raises(PayloadError, match="created_at"):
        parse_push(body)
