"""What residents wrote and who they are is encrypted in its columns, and keys can rotate."""

from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection

from beatdesk.channels.models import Account, InboundDelivery, OutboxMessage
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.core.encryption import decrypt_existing, encrypt_existing
from beatdesk.core.models import Job
from beatdesk.core.secrets import blind_index
from beatdesk.inbox.actions import do_answer_case
from beatdesk.inbox.models import Message, Resident
from tests.conftest import APP_SECRET, Cast
from tests.inbox.helpers import resident_writes

pytestmark = pytest.mark.django_db

WORDS = "我家楼下的电动车被人偷了，车牌浙A12345"
OLD_KEY = "old-field-key-for-tests-0123456789"
NEW_KEY = "new-field-key-for-tests-9876543210"


def stored(table: str, column: str, pk: int) -> str:
    """Return a column exactly as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        (value,) = cursor.fetchone()
    return bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview) else value


def first_message() -> Message:
    return Message.objects.get(direction="in")


def test_a_residents_words_are_stored_encrypted_and_read_back_whole(
    account: Account, peer: WeChatPeer
) -> None:
    resident_writes(account, peer, "oWORDS", WORDS)

    message = first_message()
    assert message.text == WORDS
    assert stored("inbox_message", "text", message.pk).startswith("gAAAAA")
    assert "浙A12345" not in stored("inbox_message", "text", message.pk)
    delivery = InboundDelivery.objects.get()
    assert WORDS in delivery.payload
    assert WORDS not in stored("channels_inbounddelivery", "payload", delivery.pk)
    assert "oWORDS" not in stored("channels_inbounddelivery", "delivery_key", delivery.pk)


def test_a_resident_writing_again_is_found_by_channel_id_through_the_blind_index(
    account: Account, peer: WeChatPeer
) -> None:
    first = resident_writes(account, peer, "oAGAIN", WORDS)
    second = resident_writes(account, peer, "oAGAIN", "车找到了吗？")

    assert second.pk == first.pk
    resident = Resident.objects.get(external_id="oAGAIN")
    assert resident.external_id == "oAGAIN"
    assert not Resident.objects.filter(external_id="oSOMEONE-ELSE").exists()
    assert "oAGAIN" not in stored("inbox_resident", "external_id", resident.pk)
    assert stored("inbox_resident", "external_id_index", resident.pk) == blind_index("oAGAIN")


def test_an_answer_keeps_its_recipient_and_words_encrypted(
    account: Account, peer: WeChatPeer, cast: Cast
) -> None:
    case = resident_writes(account, peer, "oANSWER", WORDS)

    do_answer_case(case, cast.officer_a, "已收到，民警会联系您。")

    outbox = OutboxMessage.objects.get(
        recipient="oANSWER", idempotency_key__startswith="inbox-message:"
    )
    assert outbox.payload
    assert "oANSWER" not in stored("channels_outboxmessage", "recipient", outbox.pk)
    assert "民警" not in stored("channels_outboxmessage", "payload", outbox.pk)


def test_a_jobs_uploaded_file_and_its_export_are_stored_encrypted(cast: Cast) -> None:
    upload, export = "姓名,电话\n王芳,13912345678\n".encode(), f"code,text\nA1,{WORDS}\n".encode()

    job = Job.objects.create(
        kind="export", started_by=cast.officer_a, input_data=upload, result_data=export
    )

    assert "13912345678" not in stored("core_job", "input_data", job.pk)
    assert "gAAAAA" in stored("core_job", "result_data", job.pk)
    job.refresh_from_db()
    assert (bytes(job.input_data), bytes(job.result_data)) == (upload, export)


def test_comparing_an_encrypted_column_with_words_is_refused_rather_than_matching_nothing() -> (
    None
):
    with pytest.raises(FieldError, match="encrypted"):
        list(Message.objects.filter(text=WORDS))
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(Message.objects.filter(text__contains="电动车"))
    assert list(Message.objects.filter(text="")) == []


def test_after_a_key_change_old_values_still_read_until_the_rotation_rewrites_them(
    account: Account, peer: WeChatPeer, settings: Any
) -> None:
    settings.FIELD_ENCRYPTION_KEY = OLD_KEY
    Account.objects.filter(pk=account.pk).update(credentials=account.credentials)
    resident_writes(account, peer, "oROTATE", WORDS)
    before = stored("inbox_message", "text", first_message().pk)

    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = NEW_KEY, [OLD_KEY]
    assert first_message().text == WORDS
    assert Resident.objects.filter(external_id="oROTATE").exists()
    output = StringIO()
    call_command("rotate_field_key", stdout=output)
    assert "encrypted" in output.getvalue()

    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert stored("inbox_message", "text", first_message().pk) != before
    assert first_message().text == WORDS
    assert Resident.objects.get(external_id="oROTATE").external_id == "oROTATE"
    assert APP_SECRET in Account.objects.get(pk=account.pk).credentials
    assert InboundDelivery.objects.get().raw_body


def test_a_rotation_meeting_a_value_no_key_reads_stops_and_changes_nothing(
    account: Account, peer: WeChatPeer, settings: Any
) -> None:
    resident_writes(account, peer, "oLOST", WORDS)
    before = stored("inbox_message", "text", first_message().pk)
    kept = settings.FIELD_ENCRYPTION_KEY

    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("rotate_field_key")

    settings.FIELD_ENCRYPTION_KEY = kept
    assert stored("inbox_message", "text", first_message().pk) == before
    assert first_message().text == WORDS


def test_rows_written_before_the_migration_are_encrypted_in_place_and_undone_again(
    account: Account, peer: WeChatPeer
) -> None:
    resident_writes(account, peer, "oBEFORE", WORDS)
    message, resident = first_message(), Resident.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inbox_message SET text = %s", [WORDS])
        cursor.execute(
            "UPDATE inbox_resident SET external_id = %s, external_id_index = ''", ["oBEFORE"]
        )
    editor = SimpleNamespace(connection=connection)

    encrypt_existing("inbox.Message", "inbox.Resident")(apps, editor)
    encrypted = stored("inbox_message", "text", message.pk)
    encrypt_existing("inbox.Message", "inbox.Resident")(apps, editor)

    assert encrypted.startswith("gAAAAA")
    assert stored("inbox_message", "text", message.pk) == encrypted
    assert first_message().text == WORDS
    assert Resident.objects.get(external_id="oBEFORE").pk == resident.pk
    decrypt_existing("inbox.Message", "inbox.Resident")(apps, editor)
    assert stored("inbox_message", "text", message.pk) == WORDS
    assert stored("inbox_resident", "external_id", resident.pk) == "oBEFORE"
