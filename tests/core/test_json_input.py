"""Hostile JSON gets 400 with a stable code from every JSON endpoint, never a server error."""

import pytest

from beatdesk.core.jsonin import JsonInputError, parse_json
from tests.conftest import Cast, signed_in

HOSTILE = [
    (b'{"text": "a", "text": "b"}', "duplicate_key"),
    (b'{"text": "a", "n": NaN}', "bad_number"),
    (b'{"text": "a", "n": -Infinity}', "bad_number"),
    (b'{"text": "a", "n": ' + b"9" * 5000 + b"}", "bad_number"),
    (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too_deep"),
    (b'{"text": "\\ud800"}', "lone_surrogate"),
    (b'{"text": "a\\u0000b"}', "nul_character"),
    (b'{"text": "\xff\xfe"}', "bad_encoding"),
    (b'{"text": "a"', "bad_json"),
    (b"", "bad_json"),
]


@pytest.mark.parametrize(("body", "code"), HOSTILE)
def test_the_parser_names_what_is_wrong(body: bytes, code: str) -> None:
    with pytest.raises(JsonInputError) as raised:
        parse_json(body)

    assert raised.value.code == code


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert parse_json('{"text": "' + "[" * 1000 + '"}') == {"text": "[" * 1000}


@pytest.mark.parametrize(("body", "code"), HOSTILE)
def test_the_check_api_answers_400_with_the_code(cast: Cast, body: bytes, code: str) -> None:
    response = signed_in(cast.officer_a).post(
        "/api/check", data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_a_document_that_is_not_an_object_is_refused(cast: Cast, body: bytes) -> None:
    response = signed_in(cast.officer_a).post(
        "/api/check", data=body, content_type="application/json"
    )

    assert (response.status_code, response.json()["error"]["code"]) == (400, "bad_text")
