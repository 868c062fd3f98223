"""Hostile XML documents, one per attack class, shaped like WeChat pushes.

Shared by tests/channels/wechat/test_xml_attacks.py and bench/xml_attacks.py. Documents that
fetch something point at http://127.0.0.1:<port>/, where the caller runs a listener that
counts connections. Text documents are str; documents that are not valid UTF-8 are bytes.
"""

FIFTY_MEGABYTES = 50 * 1000 * 1000
# Classes that end as a cleaned message rather than refused: WeChat delivers control
# characters unescaped when residents paste them, so they are removed and the rest kept.
CLEANED = {"control characters in the markup and text"}

HEAD = "<xml><ToUserName>gh_stationa0001</ToUserName><FromUserName>oFAKE_A</FromUserName>"
TAIL = "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId></xml>"


def _text_push(content: str, doctype: str = "") -> str:
    return f'<?xml version="1.0"?>{doctype}{HEAD}<Content>{content}</Content>{TAIL}'


def _billion_laughs() -> str:
    entities = ['<!ENTITY l0 "ha">']
    entities += [f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)]
    return _text_push("&l9;", f"<!DOCTYPE xml [{''.join(entities)}]>")


def _quadratic_blowup() -> str:
    # One large entity referenced many times: no nesting, so depth limits do not catch it.
    big = "ha" * 10_000
    return _text_push("&big;" * 2_000, f'<!DOCTYPE xml [<!ENTITY big "{big}">]>')


def attack_documents(port: int) -> dict[str, str | bytes]:
    """Return every attack class by name; `port` is where fetches would land."""
    url = f"http://127.0.0.1:{port}"
    return {
        "billion laughs (nested entity expansion)": _billion_laughs(),
        "quadratic blowup": _quadratic_blowup(),
        "external entity to a file": _text_push(
            "&ext;", '<!DOCTYPE xml [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        ),
        "external entity to a loopback listener": _text_push(
            "&ext;", f'<!DOCTYPE xml [<!ENTITY ext SYSTEM "{url}/entity">]>'
        ),
        "parameter entity fetching a remote DTD": _text_push(
            "hello", f'<!DOCTYPE xml [<!ENTITY % remote SYSTEM "{url}/param.dtd"> %remote;]>'
        ),
        "external DTD": _text_push("hello", f'<!DOCTYPE xml SYSTEM "{url}/external.dtd">'),
        "XInclude of a local file": _text_push(
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"'
            ' parse="text"/>'
        ),
        "deep nesting": HEAD + "<a>" * 5_000 + "</a>" * 5_000 + TAIL,
        "a 50 MB text node": _text_push("x" * FIFTY_MEGABYTES),
        "invalid UTF-8": _text_push("hello").encode("utf-8").replace(b"hello", b"\xff\xfe\xc3("),
        "control characters in the markup and text": HEAD
        + "<Con\x01tent>hi\x00\x1b[2J\x08</Con\x01tent>"
        + TAIL,
        "not XML at all": '{"ToUserName": "gh_stationa0001", "Content": "hello"}',
        "undeclared entity": _text_push("&undeclared;"),
        "a DTD that declares only attribute defaults": _text_push(
            "hello", '<!DOCTYPE xml [<!ATTLIST Content injected CDATA "yes">]>'
        ),
    }
