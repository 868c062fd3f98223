"""Walk the audit chain and name the first record that is not as it was written."""

from dataclasses import dataclass

from beatdesk.audit.models import AuditChainHead, AuditRecord


@dataclass(frozen=True)
class ChainProblem:
    """The first break in the chain: which record, what kind of break, and why we think so."""

    sequence: int | None
    record_id: int | None
    kind: str
    message: str


@dataclass(frozen=True)
class ChainHead:
    """The newest record's number and hash, as exported outside the database."""

    sequence: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> "ChainHead":
        number, _sep, digest = text.strip().partition(":")
        if not number.isdigit() or len(digest) != 64:
            raise ValueError("a chain head looks like 1234:<64 hex characters>")
        return cls(int(number), digest.lower())

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash}"


def current_head() -> ChainHead:
    """Return the head the database holds now, to be kept somewhere the database is not."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return ChainHead(head.sequence, head.hash) if head else ChainHead(0, "")


def verify_chain(exported: ChainHead | None = None) -> ChainProblem | None:
    """Return the first problem in the chain, or None when every record is intact.

    With `exported`, a head written down earlier, records removed from the end (which
    leave no gap) are found too.
    """
    expected, previous = 1, ""
    hashes: dict[int, str] = {}
    unnumbered = AuditRecord.objects.filter(sequence__isnull=True).order_by("id").first()
    if unnumbered is not None:
        return ChainProblem(
            None, unnumbered.pk, "inserted", "a record without a number was inserted"
        )

    for entry in AuditRecord.objects.order_by("sequence").iterator(chunk_size=2000):
        assert entry.sequence is not None
        if entry.sequence != expected:
            return ChainProblem(
                entry.sequence,
                entry.pk,
                "deleted",
                f"records {expected} to {entry.sequence - 1} are missing",
            )
        if entry.previous_hash != previous:
            return ChainProblem(
                entry.sequence,
                entry.pk,
                "relinked",
                "the record does not follow the one before it "
                "(a record was inserted, reordered, or edited and rehashed)",
            )
        if entry.compute_hash() != entry.hash:
            return ChainProblem(
                entry.sequence, entry.pk, "edited", "the record was changed after it was written"
            )
        hashes[entry.sequence] = entry.hash
        previous, expected = entry.hash, expected + 1

    last = expected - 1
    return _compare_heads(last, previous, hashes, current_head(), exported)


def _compare_heads(
    last: int,
    last_hash: str,
    hashes: dict[int, str],
    stored: ChainHead,
    exported: ChainHead | None,
) -> ChainProblem | None:
    for head, where in ((stored, "the database's chain head"), (exported, "the exported head")):
        if head is None or head.sequence == 0:
            continue
        if head.sequence > last:
            return ChainProblem(
                last,
                None,
                "truncated",
                f"{where} names record {head.sequence} but the chain ends at {last}",
            )
        if hashes.get(head.sequence) != head.hash:
            return ChainProblem(
                head.sequence,
                None,
                "rewritten",
                f"record {head.sequence} no longer has the hash {where} recorded",
            )
    if stored.sequence != last or (last and stored.hash != last_hash):
        return ChainProblem(last, None, "head", "the database's chain head is not the last record")
    return None
