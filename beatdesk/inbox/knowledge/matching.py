"""Match a resident's question to knowledge entries: BM25 over the entries' phrasings.

Every question phrasing of an entry (and the last name of its menu path) is one short
document; an entry scores as its best phrasing. Bigrams weigh fully and unigrams less,
because a shared bigram is nearly a shared word while a shared character often is not.
The confidence is a logistic function of three signs, fitted on the train part of the
labelled questions (bench/knowledge.py --fit): how much of the question the best phrasing
covers, how much of that phrasing the question covers, and how far the entry leads the
next one.
"""

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from beatdesk.inbox.knowledge.entries import Entry
from beatdesk.inbox.knowledge.text import UNIGRAM, terms

logger = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
UNIGRAM_WEIGHT = 0.3
# Fitted by `bench/knowledge.py --fit` on the train part only; see bench/RESULTS.md.
CALIBRATION = (-3.495, 1.932, 6.248, 2.982)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry proposed for a question, its BM25 score, and the chance it is the right one."""

    entry_id: str
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Signs:
    """What the confidence is computed from, each between -1 and 1."""

    question_covered: float
    phrasing_covered: float
    lead: float

    def vector(self) -> tuple[float, float, float]:
        return (self.question_covered, self.phrasing_covered, self.lead)


@dataclass(frozen=True, slots=True)
class _Phrasing:
    entry_id: str
    counts: Counter[str]
    length: float


class Knowledge:
    """The entries a station answers from, with the index that matches questions to them."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self.entries = dict(entries)
        self._phrasings = [
            _phrasing(entry.id, text) for entry in self.entries.values() for text in _texts(entry)
        ]
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for number, phrasing in enumerate(self._phrasings):
            for term, count in phrasing.counts.items():
                self._postings[term].append((number, count))
        lengths = [phrasing.length for phrasing in self._phrasings]
        self._average_length = sum(lengths) / len(lengths) if lengths else 1.0
        logger.info("knowledge indexed entries=%s phrasings=%s", len(self.entries), len(lengths))

    def idf(self, term: str) -> float:
        """Return the BM25 inverse document frequency; a term no phrasing has gets the most."""
        total = len(self._phrasings)
        frequency = len(self._postings.get(term, ()))
        return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))

    def scores(self, question_terms: Iterable[str]) -> dict[int, float]:
        """Return the BM25 score of every phrasing that shares a term with the question."""
        scores: dict[int, float] = defaultdict(float)
        for term, count in Counter(question_terms).items():
            weight = _weight(term) * self.idf(term) * count
            for number, frequency in self._postings.get(term, ()):
                length = self._phrasings[number].length / self._average_length
                saturation = frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * length))
                scores[number] += weight * saturation
        return scores

    def phrasing_entry(self, number: int) -> str:
        return self._phrasings[number].entry_id

    def phrasing_counts(self, number: int) -> Counter[str]:
        return self._phrasings[number].counts


def match(question: str, knowledge: Knowledge, k: int = 3) -> list[Candidate]:
    """Return the best `k` entries for a question, best first; empty if nothing is shared."""
    question_terms = terms(question)
    best = _best_phrasing_per_entry(knowledge, knowledge.scores(question_terms))
    ranked = sorted(best.items(), key=lambda item: (-item[1][1], item[0]))
    candidates = []
    for place, (entry_id, (number, score)) in enumerate(ranked[:k]):
        # The lead is measured against the best other entry: the runner-up for the first.
        rival = max((s for j, (_, (_, s)) in enumerate(ranked[:2]) if j != place), default=0.0)
        signs = _signs(knowledge, question_terms, number, score, rival)
        candidates.append(Candidate(entry_id, round(score, 4), confidence(signs)))
    return candidates


def signs_for(question: str, knowledge: Knowledge) -> Signs | None:
    """Return the signs of the best entry for a question, for fitting the calibration."""
    question_terms = terms(question)
    best = _best_phrasing_per_entry(knowledge, knowledge.scores(question_terms))
    ranked = sorted(best.values(), key=lambda item: -item[1])
    if not ranked:
        return None
    rival = ranked[1][1] if len(ranked) > 1 else 0.0
    return _signs(knowledge, question_terms, ranked[0][0], ranked[0][1], rival)


def confidence(signs: Signs, calibration: tuple[float, ...] = CALIBRATION) -> float:
    """Return the calibrated chance that the entry with these signs is the right answer."""
    bias, *weights = calibration
    linear = bias + sum(w * x for w, x in zip(weights, signs.vector(), strict=True))
    return round(1 / (1 + math.exp(-max(-30.0, min(30.0, linear)))), 4)


def _best_phrasing_per_entry(
    knowledge: Knowledge, scores: Mapping[int, float]
) -> dict[str, tuple[int, float]]:
    best: dict[str, tuple[int, float]] = {}
    for number, score in scores.items():
        entry_id = knowledge.phrasing_entry(number)
        if entry_id not in best or score > best[entry_id][1]:
            best[entry_id] = (number, score)
    return best


def _signs(
    knowledge: Knowledge, question_terms: list[str], number: int, score: float, rival: float
) -> Signs:
    question = Counter(question_terms)
    phrasing = knowledge.phrasing_counts(number)
    shared = set(question) & set(phrasing)
    return Signs(
        question_covered=_share(knowledge, shared, question),
        phrasing_covered=_share(knowledge, shared, phrasing),
        lead=max(-1.0, min(1.0, (score - rival) / score)) if score > 0 else 0.0,
    )


def _share(knowledge: Knowledge, shared: set[str], counts: Counter[str]) -> float:
    total = sum(_weight(term) * knowledge.idf(term) for term in counts)
    part = sum(_weight(term) * knowledge.idf(term) for term in shared)
    return part / total if total else 0.0


def _weight(term: str) -> float:
    return UNIGRAM_WEIGHT if term.startswith(UNIGRAM) else 1.0


def _texts(entry: Entry) -> tuple[str, ...]:
    return (*entry.questions, entry.menu[2])


def _phrasing(entry_id: str, text: str) -> _Phrasing:
    counts = Counter(terms(text))
    length = sum(_weight(term) * count for term, count in counts.items())
    return _Phrasing(entry_id, counts, length)
