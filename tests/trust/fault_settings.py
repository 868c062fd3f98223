"""Test settings with a deliberate fault on: the webhooks answer before they commit.

Only the trust harness uses this module, to prove that it notices lost pushes. The
product's own settings define no BEATDESK_FAULTS, and a production environment ignores
this one (tests/trust/test_fault_switch.py).
"""

from beatdesk.settings import *  # noqa: F403

BEATDESK_FAULTS = frozenset({"ack-before-commit"})
