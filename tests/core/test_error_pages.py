"""Every error answers with a stable code, in the reader's language and the address's format."""

import json
import logging
from xml.etree import ElementTree

import pytest
from django.test import Client, RequestFactory

from beatdesk.core.logs import WithoutTraceback
from beatdesk.errors import server_error
from tests.conftest import Cast, signed_in

pytestmark = pytest.mark.django_db


def test_a_missing_staff_page_says_so_in_chinese_by_default_with_its_code(cast: Cast) -> None:
    response = signed_in(cast.officer_a).get("/inbox/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "这个地址没有内容" in page
    assert "<code>not_found</code>" in page
    assert "Not Found" not in page


def test_a_missing_case_reads_in_english_for_an_officer_who_chose_english(cast: Cast) -> None:
    response = signed_in(cast.officer_a).get("/inbox/cases/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    page = response.content.decode()
    assert "There is nothing at this address." in page
    assert "<code>not_found</code>" in page


def test_an_unknown_api_address_answers_json_with_a_code() -> None:
    response = Client().get("/api/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "error": {"code": "not_found", "message": "There is nothing at this address."}
    }


def test_an_open311_address_that_matches_no_route_answers_the_specs_error_list() -> None:
    # Request ids are lower case; an upper-case one matches no route at all.
    as_json = Client().get("/open311/v2/requests/ABC123.json", HTTP_ACCEPT_LANGUAGE="en")
    as_xml = Client().get("/open311/v2/requests/ABC123.xml", HTTP_ACCEPT_LANGUAGE="en")

    assert as_json.status_code == 404
    assert json.loads(as_json.content) == [
        {"code": "404", "description": "There is nothing at this address."}
    ]
    assert as_xml.status_code == 404
    root = ElementTree.fromstring(as_xml.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"


def test_an_unknown_webhook_account_gets_a_short_plain_answer() -> None:
    response = Client().post("/hooks/wechat/nobody/", b"<xml/>", content_type="text/xml")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"not_found"


def test_a_form_with_too_many_fields_is_refused_with_a_code_and_changes_nothing(
    cast: Cast,
) -> None:
    fields = "&".join(f"f{number}=x" for number in range(1500))

    response = signed_in(cast.officer_a).post(
        "/inbox/bulk/",
        fields,
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The form sent more fields than Beatdesk accepts." in page
    assert "<code>too_many_fields</code>" in page
    assert "Traceback" not in page


def test_a_refused_request_is_logged_as_one_line_without_a_traceback() -> None:
    handlers = logging.getLogger("django.security").handlers
    assert handlers
    assert all(
        any(isinstance(log_filter, WithoutTraceback) for log_filter in handler.filters)
        for handler in handlers
        if type(handler) is logging.StreamHandler
    )

    try:
        raise ValueError("too many fields")
    except ValueError as error:
        record = logging.LogRecord(
            "django.security.TooManyFieldsSent",
            logging.ERROR,
            __file__,
            1,
            "refused",
            None,
            (type(error), error, error.__traceback__),
        )
    assert WithoutTraceback().filter(record)
    assert record.exc_info is None
    assert logging.Formatter().format(record) == "refused"


def test_a_server_error_page_touches_no_database_and_keeps_its_code(
    django_assert_num_queries: object,
) -> None:
    factory = RequestFactory()

    with django_assert_num_queries(0):  # type: ignore[operator]
        page = server_error(factory.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en"))
        api = server_error(factory.post("/api/check"))

    assert page.status_code == 500
    assert "<code>server_error</code>" in page.content.decode()
    assert api.status_code == 500
    assert json.loads(api.content)["error"]["code"] == "server_error"


def test_a_wrong_method_on_a_staff_page_gets_a_code_and_keeps_its_allow_header(
    cast: Cast,
) -> None:
    response = signed_in(cast.officer_a).get("/inbox/bulk/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 405
    assert "POST" in response["Allow"]
    page = response.content.decode()
    assert "<code>method_not_allowed</code>" in page
    assert "This address does not take that kind of request." in page


def test_a_wrong_method_on_a_webhook_answers_a_plain_code() -> None:
    response = Client().put("/hooks/wechat/nobody/", b"", content_type="text/xml")

    assert response.status_code == 405
    assert response.content == b"method_not_allowed"


def test_a_form_posted_without_its_csrf_token_is_explained_in_chinese(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "officer_anna", "password": "x"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "<code>csrf_failed</code>" in page
    assert "表单已过期" in page
