"""Payloads are read strictly at the edge: times in both spellings, ids in a safe alphabet."""

from datetime import UTC, datetime

import pytest

from beatdesk.channels.qqbot.schemas import (
    Conversation,
    PayloadError,
    parse_conversation,
    parse_time,
)


@pytest.mark.parametrize(
    "value",
    [1740963600, "1740963600", "2025-03-03T09:00:00+08:00", "2025-03-03T01:00:00Z"],
)
def test_it_reads_a_timestamp_as_unix_seconds_or_rfc_3339(value: object) -> None:
    assert parse_time(value) == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", [None, True, 0, -5, "2025-03-03T09:00:00", "yesterday", "9" * 30, 2**40]
)
def test_it_refuses_a_timestamp_without_a_zone_or_out_of_range(value: object) -> None:
    with pytest.raises(PayloadError):
        parse_time(value)


@pytest.mark.parametrize(
    "conversation", [Conversation("A1"), Conversation("A1", "C9")], ids=["private", "group"]
)
def test_it_reads_its_own_conversation_ids_back(conversation: Conversation) -> None:
    assert parse_conversation(conversation.external_id) == conversation


@pytest.mark.parametrize(
    "external_id",
    [
        "private:10001",
        "group:20001:10001:x",
        "c2c:../v2/groups/C9",
        "c2c:",
        "c2c:A1?x=1",
        "oFAKE_A",
    ],
)
def test_it_refuses_a_conversation_id_that_is_not_a_qq_bots(external_id: str) -> None:
    with pytest.raises(PayloadError):
        parse_conversation(external_id)
