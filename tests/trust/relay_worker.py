"""Run `beatdesk worker` with the outbox claim shortened, for the worker kill test.

A killed worker's claim must expire before its row is sent again; the product waits two
minutes, which would make the test wait minutes per kill. Everything else is the product's
own worker, relay and outbox, untouched.

    python -m tests.trust.relay_worker CLAIM_SECONDS
"""

import sys


def main(claim_seconds: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from beatdesk.channels import outbox

    outbox.CLAIM_SECONDS = claim_seconds
    call_command("worker")


if __name__ == "__main__":
    main(int(sys.argv[1]))
