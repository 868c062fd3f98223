"""An Aho-Corasick automaton that reports every occurrence of every term, overlaps included.

The scan runs in ahocorasick-rs (a Rust library) in its standard match kind with
overlapping search, which at each position reports every term ending there. Its
longest-match and first-match kinds would miss a short term inside a longer one, and other
libraries' longest-match modes have missed a short term when the text ends inside a longer
term that contains it (pyahocorasick issue 133); neither mode is used here.

Offsets are indexes into the Python string, in code points, not bytes of UTF-8.
"""

from collections.abc import Callable, Sequence

from ahocorasick_rs import AhoCorasick, MatchKind


class Automaton:
    """A compiled automaton; build one with `build_automaton` and share it freely.

    Scans hold no state, so one automaton serves every thread at once.
    """

    __slots__ = ("_matcher", "terms")

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        self._matcher = AhoCorasick(self.terms, matchkind=MatchKind.Standard)

    def find_indexes(self, text: str) -> list[tuple[int, int, int]]:
        """Return `(term_index, start, end)` for every occurrence, as the library lists them."""
        return self._matcher.find_matches_as_indexes(text, overlapping=True)

    def find_all(self, text: str) -> list[tuple[int, int, int]]:
        """Return `(start, end, term_index)` for every occurrence, ordered by end."""
        found = [(start, end, index) for index, start, end in self.find_indexes(text)]
        return sorted(found, key=lambda match: match[1])

    def __reduce__(self) -> tuple[Callable[[Sequence[str]], "Automaton"], tuple[tuple[str, ...]]]:
        # The library's matcher does not pickle, so an automaton pickles as its terms and is
        # built again when loaded.
        return build_automaton, (self.terms,)


def build_automaton(terms: Sequence[str]) -> Automaton:
    """Compile terms; scans report matches by their index in `terms`."""
    if not all(terms):
        raise ValueError("An empty term would match everywhere.")
    return Automaton(terms)
