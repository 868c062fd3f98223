"""The purge: empty what identifies residents in cases whose retention period is over.

For each case resolved or closed longer ago than its type's period: the text and
attributes of its messages, the raw bytes of the deliveries they came in, the payloads of
the answers sent and the residents' photos are emptied (the checker's records of them hold
rules and offsets, no words); the case and its audit trail stay. A resident with nothing
left unpurged is renamed to an anonymous id. Messages never joined to a case (group
chatter) and deliveries that never became a message are emptied after the legal floor,
and the files of jobs (a case export) a month after they ended. One audit record per
purged case.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from beatdesk.audit.actions import record
from beatdesk.channels.models import ChannelContact, InboundDelivery, OutboxMessage
from beatdesk.core.models import Job
from beatdesk.inbox.models import Case, CaseStatus, Message, Resident
from beatdesk.portal.models import Photo
from beatdesk.retention.models import Purge
from beatdesk.retention.policy import MINIMUM_DAYS, periods

logger = logging.getLogger(__name__)

CLOSED = [CaseStatus.RESOLVED, CaseStatus.CLOSED]
# The outbox keys of the answers a push gets by itself (channels.deliveries, qqbot.adapter).
AUTOMATIC_KEYS = ("auto-reply", "emergency-answer")
# A case export or import result can be downloaded again for this long after the job.
JOB_FILE_DAYS = 30
BATCH = 200


@dataclass
class PurgeReport:
    cases: list[int] = field(default_factory=list)
    messages: int = 0
    deliveries: int = 0
    photos: int = 0
    residents: int = 0
    job_files: int = 0


def due_cases(now: datetime) -> list[Case]:
    """Return the closed cases whose type's retention period ended before `now`."""
    overdue = Q()
    for case_type, period in periods().items():
        overdue |= Q(case_type=case_type, closed_at__lte=now - period)
    return list(
        Case.objects.filter(overdue, status__in=CLOSED, closed_at__isnull=False, purge=None)
        .select_related("unit")
        .order_by("closed_at", "pk")[:BATCH]
    )


def do_purge(now: datetime, *, dry_run: bool = False) -> PurgeReport:
    """Purge every case due at `now`, each in its own transaction; return what was emptied."""
    report = PurgeReport()
    for case in due_cases(now):
        report.cases.append(case.pk)
        if dry_run:
            _count_case(case, report)
        else:
            _purge_case(case, now, report)
    if not dry_run:
        _purge_loose_rows(now, report)
        report.residents += _anonymize_residents(now)
        report.job_files += _empty_old_job_files(now)
    logger.info(
        "purge cases=%s messages=%s deliveries=%s photos=%s residents=%s dry_run=%s",
        len(report.cases),
        report.messages,
        report.deliveries,
        report.photos,
        report.residents,
        dry_run,
    )
    return report


def _count_case(case: Case, report: PurgeReport) -> None:
    """Count what purging the case would empty, for a dry run."""
    messages = Message.objects.filter(case=case)
    report.messages += messages.count()
    report.deliveries += messages.filter(delivery__isnull=False).count()
    report.photos += Photo.objects.filter(message__case=case).count()


def _purge_case(case: Case, now: datetime, report: PurgeReport) -> None:
    with transaction.atomic():
        messages = list(Message.objects.select_for_update().filter(case=case))
        counts = _empty_messages(messages)
        # Mediation and verification notes and unsealing reasons name people as messages
        # do; the outcomes, dates and who acted stay.
        case.follow_ups.update(note="")
        case.verifications.update(note="")
        case.unsealings.update(reason="")
        Purge.objects.create(
            case=case,
            purged_at=now,
            messages=len(messages),
            deliveries=counts.deliveries,
            photos=counts.photos,
        )
        record("case.purged", case, unit=case.unit, messages=len(messages))
    report.messages += len(messages)
    report.deliveries += counts.deliveries
    report.photos += counts.photos


@dataclass
class _Emptied:
    deliveries: int
    photos: int


def _empty_messages(messages: list[Message]) -> _Emptied:
    ids = [message.pk for message in messages]
    Message.objects.filter(pk__in=ids).update(text="", attributes={})

    delivery_ids = [m.delivery_id for m in messages if m.delivery_id is not None]
    deliveries = _empty_deliveries(InboundDelivery.objects.filter(pk__in=delivery_ids))
    outbox_ids = [m.outbox_id for m in messages if m.outbox_id is not None]
    # Automatic and 110 answers are keyed by the push they answer, not joined to a message.
    automatic = [f"{prefix}:{pk}" for pk in delivery_ids for prefix in AUTOMATIC_KEYS]
    # The recipient is the resident's id on the channel: it goes with the words.
    OutboxMessage.objects.filter(Q(pk__in=outbox_ids) | Q(idempotency_key__in=automatic)).update(
        payload={}, recipient="", recipient_index=""
    )
    # The checker's records of these messages keep rules and offsets only, no words.
    photos, _by_model = Photo.objects.filter(message_id__in=ids).delete()
    return _Emptied(deliveries, photos)


def _purge_loose_rows(now: datetime, report: PurgeReport) -> None:
    """Empty chatter never joined to a case, and deliveries that never became a message."""
    floor = now - timedelta(days=MINIMUM_DAYS)
    with transaction.atomic():
        loose = list(
            Message.objects.select_for_update()
            .filter(case__isnull=True, sent_at__lte=floor)
            .exclude(text="", attributes={})[: BATCH * 10]
        )
        emptied = _empty_messages(loose)
        unlinked = InboundDelivery.objects.filter(
            received_at__lte=floor, message__isnull=True
        ).exclude(raw_body=b"", payload="")
        report.deliveries += emptied.deliveries + _empty_deliveries(unlinked)
        report.messages += len(loose)
        report.photos += emptied.photos


def _empty_deliveries(deliveries: QuerySet[InboundDelivery]) -> int:
    """Empty raw pushes; their keys name the sender (as a keyed digest), so they go too.

    The key only guards against a platform's retries, which end within minutes; a purged
    delivery is half a year old.
    """
    return deliveries.update(
        raw_body=b"",
        payload="",
        reply="",
        emergency_answer="",
        delivery_key=Concat(Value("purged-"), Cast("pk", output_field=CharField())),
    )


def _empty_old_job_files(now: datetime) -> int:
    """Empty the files of jobs that ended long ago: an export is for the days after it."""
    cutoff = now - timedelta(days=JOB_FILE_DAYS)
    old = Job.objects.filter(finished_at__lte=cutoff).exclude(result_data=b"")
    return old.update(result_data=b"")


def _anonymize_residents(now: datetime) -> int:
    """Rename residents unseen for the floor whose cases and messages hold nothing any more.

    Their contact row (the channel's answer window) goes too: it is keyed by the same id.
    """
    floor = now - timedelta(days=MINIMUM_DAYS)
    keeping = Message.objects.exclude(text="", attributes={}).values("resident_id")
    open_cases = Case.objects.filter(purge=None).values("resident_id")
    done = Resident.objects.exclude(pk__in=keeping).exclude(pk__in=open_cases)
    done = done.filter(anonymized_at=None, first_seen_at__lte=floor)
    done = done.exclude(last_seen_at__gt=floor)
    count = 0
    for resident in done[:BATCH]:
        with transaction.atomic():
            ChannelContact.objects.filter(
                account_id=resident.account_id, external_id=resident.external_id
            ).delete()
            resident.external_id, resident.person_key = f"purged-{resident.pk}", ""
            resident.anonymized_at = now
            # The blind index is computed again from the new id, so the old id finds nothing.
            changed = ["external_id", "external_id_index", "person_key", "anonymized_at"]
            resident.save(update_fields=changed)
        count += 1
    return count
