"""An Aho-Corasick automaton that reports every occurrence of every term, overlaps included.

Longest-match modes of other libraries have missed a short term when the text ends inside a
longer term that contains it (pyahocorasick issue 133). This automaton has no such mode: at
each position it reports every term ending there, through the output links.
"""

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_ROOT = 0


@dataclass(frozen=True, slots=True)
class Automaton:
    """A compiled automaton; build one with `build_automaton` and share it freely.

    State 0 is the root. `transitions[state]` maps a character to the next state,
    `failures[state]` is the longest proper suffix state, `outputs[state]` lists the
    terms ending exactly at the state and `output_links[state]` is the nearest failure
    state that has outputs of its own (or -1).
    """

    transitions: tuple[dict[str, int], ...]
    failures: tuple[int, ...]
    outputs: tuple[tuple[int, ...], ...]
    output_links: tuple[int, ...]
    term_lengths: tuple[int, ...]

    def find_all(self, text: str) -> Iterator[tuple[int, int, int]]:
        """Yield `(start, end, term_index)` for every occurrence, ordered by end."""
        transitions, failures = self.transitions, self.failures
        root_transitions = transitions[_ROOT]
        state = _ROOT
        for position, character in enumerate(text):
            # Most characters of a text start no term at all; skip them without a walk.
            if state == _ROOT and character not in root_transitions:
                continue
            while state != _ROOT and character not in transitions[state]:
                state = failures[state]
            state = transitions[state].get(character, _ROOT)
            if state != _ROOT:
                yield from self._matches_ending_at(state, position + 1)

    def _matches_ending_at(self, state: int, end: int) -> Iterator[tuple[int, int, int]]:
        while state > _ROOT:
            for term_index in self.outputs[state]:
                yield end - self.term_lengths[term_index], end, term_index
            state = self.output_links[state]


def build_automaton(terms: Sequence[str]) -> Automaton:
    """Compile terms; `find_all` reports matches by their index in `terms`."""
    transitions: list[dict[str, int]] = [{}]
    outputs: list[list[int]] = [[]]
    for term_index, term in enumerate(terms):
        state = _insert(term, transitions, outputs)
        outputs[state].append(term_index)

    failures, output_links = _link_failures(transitions, outputs)
    return Automaton(
        transitions=tuple(transitions),
        failures=tuple(failures),
        outputs=tuple(tuple(state_outputs) for state_outputs in outputs),
        output_links=tuple(output_links),
        term_lengths=tuple(len(term) for term in terms),
    )


def _insert(term: str, transitions: list[dict[str, int]], outputs: list[list[int]]) -> int:
    if not term:
        raise ValueError("An empty term would match everywhere.")
    state = _ROOT
    for character in term:
        next_state = transitions[state].get(character)
        if next_state is None:
            next_state = len(transitions)
            transitions[state][character] = next_state
            transitions.append({})
            outputs.append([])
        state = next_state
    return state


def _link_failures(
    transitions: list[dict[str, int]], outputs: list[list[int]]
) -> tuple[list[int], list[int]]:
    failures = [_ROOT] * len(transitions)
    output_links = [-1] * len(transitions)

    # Breadth first, so a state's failure target is always linked before the state.
    queue = deque(transitions[_ROOT].values())
    while queue:
        state = queue.popleft()
        for character, child in transitions[state].items():
            failure = _failure_target(transitions, failures, state, character)
            failures[child] = failure
            output_links[child] = failure if outputs[failure] else output_links[failure]
            queue.append(child)
    return failures, output_links


def _failure_target(
    transitions: list[dict[str, int]], failures: list[int], parent: int, character: str
) -> int:
    if parent == _ROOT:
        return _ROOT
    state = failures[parent]
    while state != _ROOT and character not in transitions[state]:
        state = failures[state]
    return transitions[state].get(character, _ROOT)
