"""The audit chain's hash, shared by the model, its migration and the verifier."""

import hashlib
import json
from datetime import datetime


def record_hash(
    previous_hash: str,
    *,
    sequence: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    unit_id: int | None,
    details: object,
) -> str:
    """Return the SHA-256 of a record's content, chained to the hash before it.

    The content is canonical JSON (sorted keys, no spaces) so PostgreSQL's jsonb, which
    reorders keys, and SQLite's text give the same hash for the same record. Times count
    to the millisecond, the precision a backup keeps.
    """
    content = {
        "sequence": sequence,
        "at": at.isoformat(timespec="milliseconds"),
        "actor": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "unit": unit_id,
        "details": details,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()
