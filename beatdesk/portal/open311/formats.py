"""Open311 answers in JSON and XML, built with the standard library and escaped properly.

XML 1.0 cannot carry most control characters even escaped, so they are dropped from text.
"""

import json
import re
from collections.abc import Mapping, Sequence
from xml.etree import ElementTree

from django.http import HttpResponse

Value = str | bool | None | Sequence[Mapping[str, object]]
Row = Mapping[str, Value]

NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The element that wraps one item of each list the spec defines.
ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error"}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_IN_XML.sub("", str(value))


def _xml_fields(parent: ElementTree.Element, row: Mapping[str, object]) -> None:
    for name, value in row.items():
        child = ElementTree.SubElement(parent, name)
        if isinstance(value, list):
            continue  # Only empty lists occur: services here have no attributes.
        if value is not None:
            child.text = _text(value)


def xml_document(root: str, rows: Sequence[Row] | Row) -> bytes:
    """Return a document: a list under `root`, or one object as `root` itself."""
    element = ElementTree.Element(root)
    if isinstance(rows, Mapping):
        _xml_fields(element, rows)
    else:
        for row in rows:
            _xml_fields(ElementTree.SubElement(element, ITEM_TAGS[root]), row)
    body = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def respond(fmt: str, root: str, rows: Sequence[Row] | Row, status: int = 200) -> HttpResponse:
    """Answer in the format the client asked for by the address's extension."""
    if fmt == "xml":
        return HttpResponse(
            xml_document(root, rows), status=status, content_type="text/xml; charset=utf-8"
        )
    body = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    """Answer with the spec's error list; the code in the body is the HTTP status."""
    row: Row = {"code": str(status), "description": description}
    return respond(fmt, "errors", [row], status=status)
