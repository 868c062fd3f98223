import pickle
import random

import pytest

from beatdesk.checker.core import check
from beatdesk.checker.core.automaton import build_automaton
from tests.checker.helpers import blocked_terms


def matches(terms: list[str], text: str) -> set[tuple[str, int, int]]:
    automaton = build_automaton(terms)
    return {(terms[index], start, end) for start, end, index in automaton.find_all(text)}


def brute_force(terms: list[str], text: str) -> set[tuple[str, int, int]]:
    return {
        (term, start, start + len(term))
        for term in terms
        for start in range(len(text))
        if text.startswith(term, start)
    }


def test_it_reports_every_overlapping_match() -> None:
    terms = ["he", "she", "his", "hers"]

    assert matches(terms, "ushers") == {("she", 1, 4), ("he", 2, 4), ("hers", 2, 6)}


def test_it_reports_a_short_term_when_the_text_ends_inside_a_longer_term() -> None:
    terms = ["知识产权", "国家知识产权局"]

    assert matches(terms, "国家知识产权") == {("知识产权", 2, 6)}


def test_it_reports_both_terms_when_the_longer_one_is_complete() -> None:
    terms = ["冰毒", "出售冰毒片剂"]

    assert matches(terms, "出售冰毒片剂") == {("冰毒", 2, 4), ("出售冰毒片剂", 0, 6)}


def test_it_reports_repeated_and_adjacent_occurrences() -> None:
    assert matches(["aa"], "aaaa") == {("aa", 0, 2), ("aa", 1, 3), ("aa", 2, 4)}


def test_it_finds_nothing_in_an_empty_text() -> None:
    assert matches(["冰毒"], "") == set()


def test_it_rejects_an_empty_term() -> None:
    with pytest.raises(ValueError, match="empty"):
        build_automaton(["冰毒", ""])


def test_it_agrees_with_a_brute_force_search_on_random_texts() -> None:
    generator = random.Random(20240503)
    alphabet = "冰毒出售枪支ab"
    for _ in range(200):
        terms = list(
            {"".join(generator.choices(alphabet, k=generator.randint(1, 4))) for _ in range(6)}
        )
        text = "".join(generator.choices(alphabet, k=generator.randint(0, 30)))

        assert matches(terms, text) == brute_force(terms, text)


def test_it_reports_offsets_in_characters_of_text_outside_ascii() -> None:
    # The scan runs on UTF-8 in Rust; its offsets must still index the Python string.
    text = "é😀x冰毒，出售冰毒片剂"

    found = matches(["冰毒", "出售冰毒片剂", "😀x"], text)

    assert found == {("😀x", 1, 3), ("冰毒", 3, 5), ("冰毒", 8, 10), ("出售冰毒片剂", 6, 12)}
    assert all(text[start:end] == term for term, start, end in found)


def test_it_reports_matches_ordered_by_their_end() -> None:
    automaton = build_automaton(["冰毒", "出售冰毒片剂", "片剂"])

    ends = [end for _, end, _ in automaton.find_all("出售冰毒片剂，冰毒")]

    assert ends == sorted(ends)


def test_it_survives_pickling_with_its_terms_in_order() -> None:
    terms = ["冰毒", "出售冰毒片剂", "枪支"]

    copied = pickle.loads(pickle.dumps(build_automaton(terms)))  # noqa: S301 (our own bytes)

    assert copied.terms == tuple(terms)
    assert copied.find_all("出售冰毒片剂") == [(2, 4, 0), (0, 6, 1)]


def test_a_compiled_lexicon_survives_pickling() -> None:
    lexicon = blocked_terms("冰毒", "出售冰毒片剂")

    copied = pickle.loads(pickle.dumps(lexicon))  # noqa: S301 (our own bytes)

    assert check("本人出售冰毒，量大", copied) == check("本人出售冰毒，量大", lexicon)
