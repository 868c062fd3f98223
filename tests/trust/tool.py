"""Run inside the harness's environment (its database and settings), as a process of its own.

    python -m tests.trust.tool setup wechat onebot
    python -m tests.trust.tool census
    python -m tests.trust.tool seed-outbox 300 http://127.0.0.1:PORT
    python -m tests.trust.tool outbox-report
    python -m tests.trust.tool wake 0.3 120

The test process never opens the harness database itself: what it learns comes from here,
as one line of JSON, through the same ORM the server uses.
"""

import json
import re
import sys
import time
from datetime import timedelta
from typing import Any

ONEBOT_OUTBOX_CODE = "trust-outbox"
OUTBOX_RECIPIENTS = 13
MARKER = re.compile(r"trust-[0-9]{6}")


def _unit() -> Any:
    from beatdesk.units.models import Unit, UnitKind

    unit, _created = Unit.objects.get_or_create(
        code="trust-station", defaults={"name": "Trust station", "kind": UnitKind.STATION}
    )
    return unit


def setup(kinds: list[str]) -> dict[str, Any]:
    """Create the station and one account per channel kind named."""
    from tests.trust.channels import channel_named

    unit = _unit()
    for kind in kinds:
        channel_named(kind).create_account(unit)
    return {"accounts": kinds}


def _finish_stale() -> int:
    """Do what the minute sweep does for every push still waiting, as if a minute passed."""
    from beatdesk.channels.models import DeliveryStatus, InboundDelivery
    from beatdesk.channels.tasks import STALE_DELIVERY, process_stale_deliveries

    waiting = InboundDelivery.objects.filter(status=DeliveryStatus.RECEIVED)
    finished = 0
    for _round in range(100):
        if not waiting.exists():
            break
        earlier = waiting.values_list("received_at", flat=True).order_by("-received_at")[0]
        waiting.update(received_at=earlier - STALE_DELIVERY - timedelta(seconds=1))
        finished += process_stale_deliveries()
    return finished


def _wait_for_worker(seconds: float) -> float:
    """Wait while a worker still has stored pushes to hand to the inbox; return the wait."""
    from beatdesk.channels.models import DeliveryStatus, InboundDelivery

    began = time.monotonic()
    waiting = InboundDelivery.objects.filter(status=DeliveryStatus.RECEIVED)
    while waiting.exists() and time.monotonic() - began < seconds:
        time.sleep(0.5)
    return time.monotonic() - began


def census(worker_seconds: float = 0.0) -> dict[str, Any]:
    """List every stored delivery and its messages once the queue is done with them.

    A running worker gets up to `worker_seconds` to drain the queue; what it leaves is
    finished as the minute sweep would, and counted as such.
    """
    from django.db.models import Count

    from beatdesk.channels.models import InboundDelivery
    from beatdesk.inbox.models import OPEN_STATUSES, Case, Direction, Message

    drained = _wait_for_worker(worker_seconds) if worker_seconds else 0.0
    finished = _finish_stale()
    rows = InboundDelivery.objects.annotate(inbound=Count("message", distinct=True)).values_list(
        "account__code", "payload", "status", "inbound"
    )
    deliveries = [
        {"account": code, "marker": _marker(payload), "status": status, "messages": count}
        for code, payload, status, count in rows
    ]
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).values("resident")
    crowded = open_cases.annotate(n=Count("id")).filter(n__gt=1).count()
    loose = Message.objects.filter(direction=Direction.INBOUND, delivery__isnull=True).count()
    return {
        "worker_drain_seconds": round(drained, 1),
        "finished_by_sweep": finished,
        "deliveries": deliveries,
        "inbound_without_delivery": loose,
        "residents_with_two_open_cases": crowded,
    }


def _marker(payload: str) -> str:
    found = MARKER.findall(payload)
    return found[0] if len(set(found)) == 1 else ""


def seed_outbox(count: int, api_base_url: str) -> dict[str, Any]:
    """Create a QQ account that sends to api_base_url and `count` answers waiting to go."""
    from beatdesk.channels import outbox
    from beatdesk.channels.models import Account, ChannelKind
    from tests.trust.channels import ONEBOT_ACCESS_TOKEN, ONEBOT_BOT_QQ, ONEBOT_SECRET

    credentials = {
        "api_base_url": api_base_url,
        "access_token": ONEBOT_ACCESS_TOKEN,
        "secret": ONEBOT_SECRET,
    }
    account = Account.objects.create(
        code=ONEBOT_OUTBOX_CODE,
        kind=ChannelKind.ONEBOT,
        name="Trust QQ outbox",
        unit=_unit(),
        app_id=str(ONEBOT_BOT_QQ),
        credentials=json.dumps(credentials),
    )
    for number in range(1, count + 1):
        key = outbox_key(number)
        recipient = f"private:{10001 + number % OUTBOX_RECIPIENTS}"
        outbox.enqueue(account, recipient, f"您反映的情况已经处理 {key}", key)
    return {"seeded": count}


def outbox_key(number: int) -> str:
    return f"trust-out-{number:06d}"


def outbox_report() -> dict[str, Any]:
    """List every outbox row with its status and each attempt's times (seconds since 1970)."""
    from beatdesk.channels.models import DeliveryAttempt, OutboxMessage

    rows = OutboxMessage.objects.values_list("idempotency_key", "status", "attempts")
    attempts = DeliveryAttempt.objects.values_list(
        "outbox__idempotency_key", "started_at", "finished_at", "outcome"
    )
    return {
        "rows": [{"key": k, "status": s, "attempts": n} for k, s, n in rows],
        "attempts": [
            {"key": k, "started": a.timestamp(), "finished": b.timestamp(), "outcome": o}
            for k, a, b, o in attempts
        ],
    }


def wake(every: float, seconds: float) -> dict[str, Any]:
    """Wake the workers as answers do: enqueue the relay task, every `every` seconds."""
    from beatdesk.channels.tasks import relay_outbox

    woken = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        relay_outbox()
        woken += 1
        time.sleep(every)
    return {"woken": woken}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, args = argv[0], argv[1:]
    if command == "setup":
        result = setup(args)
    elif command == "census":
        result = census(float(args[0]) if args else 0.0)
    elif command == "seed-outbox":
        result = seed_outbox(int(args[0]), args[1])
    elif command == "outbox-report":
        result = outbox_report()
    elif command == "wake":
        result = wake(float(args[0]), float(args[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
