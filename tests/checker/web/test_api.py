"""`POST /api/check`: token or session with CSRF, the documented schema, clear refusals."""

import json
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from beatdesk.checker.core import MAX_TEXT_LENGTH
from beatdesk.units.tokens import create_token, revoke_token
from tests.conftest import Cast, make_unit, signed_in

DRAFT = "犯罪嫌疑人张某，身份证号110101199003074514，已被刑事拘留。"


def post(client: Client, body: object, **headers: str) -> Any:
    return client.post(
        "/api/check",
        data=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        headers=headers,
    )


def schema_of(name: str) -> Draft202012Validator:
    document = Client().get("/api/openapi.json").json()
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    )


def test_the_openapi_document_is_valid_and_names_the_check_operation(db: None) -> None:
    document = Client().get("/api/openapi.json").json()

    validate(document)
    assert document["paths"]["/api/check"]["post"]["operationId"] == "check"


def test_a_script_with_a_token_gets_findings_that_match_the_schema(cast: Cast) -> None:
    _row, token = create_token(cast.officer_a, "newsroom script")

    response = post(Client(), {"text": DRAFT}, Authorization=f"Bearer {token}")

    assert response.status_code == 200
    body = response.json()
    schema_of("CheckResult").validate(body)
    assert body["unit"] == "station-a"
    id_number = [f for f in body["findings"] if f["excerpt"] == "110101199003074514"]
    assert id_number and id_number[0]["severity"] in {"review", "block"}
    assert DRAFT[id_number[0]["start"] : id_number[0]["end"]] == "110101199003074514"


def test_a_revoked_or_made_up_token_is_refused_with_401(cast: Cast) -> None:
    row, token = create_token(cast.officer_a, "old script")
    revoke_token(row.prefix, cast.officer_a.username)

    revoked = post(Client(), {"text": "你好"}, Authorization=f"Bearer {token}")
    made_up = post(Client(), {"text": "你好"}, Authorization="Bearer bd_made-up")

    assert revoked.status_code == made_up.status_code == 401
    schema_of("Error").validate(revoked.json())
    assert revoked.json()["error"]["code"] == "bad_token"


def test_a_browser_session_needs_the_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.officer_a)
    page = client.get("/checker/")
    csrf = page.cookies["csrftoken"].value

    without = post(client, {"text": "你好"})
    with_token = post(client, {"text": "你好"}, **{"X-CSRFToken": csrf})

    assert without.status_code == 403
    assert without.json()["error"]["code"] == "csrf"
    assert with_token.status_code == 200


def test_nobody_signed_in_gets_401(db: None) -> None:
    assert post(Client(), {"text": "你好"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not json", "bad_json"),
        ([1, 2], "bad_text"),
        ({"txt": "你好"}, "bad_text"),
        ({"text": 5}, "bad_text"),
        ({"text": "你好", "unit": 7}, "bad_unit"),
        ({"text": "你好", "wrong_characters": "yes"}, "bad_option"),
    ],
)
def test_malformed_requests_get_400_and_say_why(cast: Cast, body: object, code: str) -> None:
    client = signed_in(cast.officer_a)
    data = body if isinstance(body, str) else json.dumps(body)

    response = client.post("/api/check", data=data, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_a_text_over_the_limit_gets_413(cast: Cast) -> None:
    response = post(signed_in(cast.officer_a), {"text": "警" * (MAX_TEXT_LENGTH + 1)})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_long"


def test_a_unit_outside_the_callers_units_is_not_found(cast: Cast) -> None:
    make_unit("prov-2", "province", None)
    client = signed_in(cast.officer_a)

    other_station = post(client, {"text": "你好", "unit": "station-b"})
    nowhere = post(client, {"text": "你好", "unit": "prov-2"})
    own = post(client, {"text": "你好", "unit": "station-a"})

    assert other_station.status_code == nowhere.status_code == 404
    assert own.status_code == 200


def test_a_person_without_any_role_cannot_check(cast: Cast) -> None:
    assert post(signed_in(cast.outsider), {"text": "你好"}).status_code == 404


def test_reasons_come_in_english_when_the_caller_asks_for_english(cast: Cast) -> None:
    client = signed_in(cast.officer_a)

    response = post(client, {"text": "电话13812345678"}, **{"Accept-Language": "en"})

    reasons = [f["reason"] for f in response.json()["findings"]]
    assert any("mobile number" in reason for reason in reasons)


def test_wrong_characters_are_found_unless_the_caller_turns_the_rule_off(cast: Cast) -> None:
    client = signed_in(cast.officer_a)
    text = "面对困难，他们不勘重负，坚持到底。"

    with_rule = post(client, {"text": text}).json()
    without = post(client, {"text": text, "wrong_characters": False}).json()

    assert any(f["category"] == "wrong_character" for f in with_rule["findings"])
    assert not any(f["category"] == "wrong_character" for f in without["findings"])
    assert 0 <= with_rule["readability"]["score"] <= 100


def test_each_kind_of_bad_json_says_what_is_wrong(cast: Cast) -> None:
    client = signed_in(cast.officer_a)

    duplicate = client.post(
        "/api/check", data=b'{"text": "a", "text": "b"}', content_type="application/json"
    )

    assert duplicate.json()["error"] == {
        "code": "duplicate_key",
        "message": "JSON 对象中有重复的键。",
    }


def test_a_body_larger_than_the_limit_gets_json_413_without_being_read(cast: Cast) -> None:
    client = signed_in(cast.officer_a)

    response = client.post(
        "/api/check", data=b"x" * (7 * 1024 * 1024), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_text_full_of_phone_numbers_answers_with_at_most_500_findings(cast: Cast) -> None:
    text = "电话13800138000，" * 800

    body = post(signed_in(cast.officer_a), {"text": text, "wrong_characters": False}).json()

    assert len(body["findings"]) == 500
    assert body["findings_total"] >= 800
    schema_of("CheckResult").validate(body)


def test_one_person_gets_429_after_the_per_minute_limit(cast: Cast) -> None:
    from beatdesk.core.ratelimit import API_CHECKS
    from tests.core.ratelimit_helpers import wait_for_fresh_window

    _row, token = create_token(cast.officer_a, "busy script")
    # The limit counts per fixed minute; a burst across two minutes would split its count.
    wait_for_fresh_window(API_CHECKS, needed_seconds=40)
    statuses = [
        post(
            Client(), {"text": "你好", "wrong_characters": False}, Authorization=f"Bearer {token}"
        ).status_code
        for _ in range(API_CHECKS.count + 1)
    ]

    assert statuses[:-1] == [200] * API_CHECKS.count
    assert statuses[-1] == 429
    assert post(signed_in(cast.officer_b), {"text": "你好"}).status_code == 200


def test_a_misspelt_option_is_refused_rather_than_ignored(cast: Cast) -> None:
    _row, token = create_token(cast.officer_a, "newsroom script")

    response = post(
        Client(), {"text": DRAFT, "unti": "station-b"}, Authorization=f"Bearer {token}"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_field"
    assert "unti" in response.json()["error"]["message"]


def test_a_null_unit_means_the_callers_own_as_the_document_says(cast: Cast) -> None:
    _row, token = create_token(cast.officer_a, "newsroom script")

    response = post(Client(), {"text": DRAFT, "unit": None}, Authorization=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["unit"] == "station-a"
    schema_of("CheckRequest").validate({"text": DRAFT, "unit": None})


def test_a_text_at_the_limit_sent_with_every_character_escaped_is_checked(cast: Cast) -> None:
    _row, token = create_token(cast.officer_a, "escaping script")
    text = "😀" * MAX_TEXT_LENGTH

    response = Client().post(
        "/api/check",
        data=json.dumps({"text": text}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.content[:200]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_not_sent_as_json_is_refused_with_415(cast: Cast, content_type: str) -> None:
    _row, token = create_token(cast.officer_a, "curl by hand")

    response = Client().generic(
        "POST",
        "/api/check",
        json.dumps({"text": "你好"}),
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 415
    schema_of("Error").validate(response.json())
    assert response.json()["error"]["code"] == "not_json"
