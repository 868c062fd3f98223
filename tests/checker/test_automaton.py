import random

import pytest

from beatdesk.checker.core.automaton import build_automaton


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
