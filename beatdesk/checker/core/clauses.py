"""The clause around a match, where context cues that change a finding's weight must stand."""

# Characters that end a clause in the normalized view (NFKC turns ，；！？ into ASCII).
CLAUSE_ENDS = frozenset("。!?;,\n\r")


def clause_before(text: str, start: int, window: int) -> str:
    """Return up to `window` characters before `start`, cut at the last clause end."""
    before = text[max(0, start - window) : start]
    for position in range(len(before) - 1, -1, -1):
        if before[position] in CLAUSE_ENDS:
            return before[position + 1 :]
    return before


def clause_after(text: str, end: int, window: int) -> str:
    """Return up to `window` characters after `end`, cut at the first clause end."""
    after = text[end : end + window]
    for position, character in enumerate(after):
        if character in CLAUSE_ENDS:
            return after[:position]
    return after


def clause_around(text: str, start: int, end: int, window: int) -> str:
    """Return `text[start:end]` with the clause context on both sides."""
    return clause_before(text, start, window) + text[start:end] + clause_after(text, end, window)
