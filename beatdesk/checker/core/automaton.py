"""An Aho-Corasick automaton that reports every occurrence of every term, overlaps included.

Longest-match modes of other libraries have missed a short term when the text ends inside a
longer term that contains it (pyahocorasick issue 133). This automaton has no such mode: at
each position it reports every term ending there.
"""

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass


class State(dict[str, "State"]):
    """A state of the automaton: its transitions by character, as a dict of next states.

    `failure` is the state of the longest proper suffix, and `matches` lists
    `(length, term_index)` for every term ending exactly here: the state's own terms first,
    then those of its failure states in turn, so a scan reads them all in one step.
    """

    __slots__ = ("failure", "matches")

    def __init__(self) -> None:
        super().__init__()
        self.failure = self
        self.matches: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Automaton:
    """A compiled automaton; build one with `build_automaton` and share it freely.

    States link to each other directly rather than by number: a scan follows references
    instead of indexing tables of state numbers, which in Python is markedly faster.
    """

    root: State

    def find_all(self, text: str) -> Iterator[tuple[int, int, int]]:
        """Yield `(start, end, term_index)` for every occurrence, ordered by end."""
        root = state = self.root
        for end, character in enumerate(text, 1):
            next_state = state.get(character)
            while next_state is None and state is not root:
                state = state.failure
                next_state = state.get(character)
            # Most characters of a text start no term at all; they leave the scan at the root.
            if next_state is None:
                continue
            state = next_state
            for length, term_index in state.matches:
                yield end - length, end, term_index

    def __reduce__(self) -> tuple[Callable[[Sequence[str]], "Automaton"], tuple[list[str]]]:
        # Pickle would recurse along the chains of states and overflow the stack on a large
        # lexicon, so an automaton pickles as its terms and is built again when loaded.
        return build_automaton, (_terms_of(self.root),)


def build_automaton(terms: Sequence[str]) -> Automaton:
    """Compile terms; `find_all` reports matches by their index in `terms`."""
    root = State()
    for term_index, term in enumerate(terms):
        state = _insert(term, root)
        state.matches += ((len(term), term_index),)

    _link_failures(root)
    return Automaton(root)


def _insert(term: str, root: State) -> State:
    if not term:
        raise ValueError("An empty term would match everywhere.")
    state = root
    for character in term:
        next_state = state.get(character)
        if next_state is None:
            next_state = state[character] = State()
        state = next_state
    return state


def _link_failures(root: State) -> None:
    # Breadth first, so a state's failure target is always linked before the state. The
    # root's children fail to the root, whose matches are empty.
    queue = deque([root])
    while queue:
        state = queue.popleft()
        for character, child in state.items():
            child.failure = _failure_target(root, state, character)
            child.matches += child.failure.matches
            queue.append(child)


def _failure_target(root: State, parent: State, character: str) -> State:
    if parent is root:
        return root
    state = parent.failure
    while state is not root and character not in state:
        state = state.failure
    return state.get(character, root)


def _terms_of(root: State) -> list[str]:
    terms: dict[int, str] = {}
    pending = [(root, "")]
    while pending:
        state, path = pending.pop()
        for length, term_index in state.matches:
            if length == len(path):
                terms[term_index] = path
        pending.extend((child, path + character) for character, child in state.items())
    return [terms[term_index] for term_index in range(len(terms))]
