"""What each fuzz target feeds its parser, and which refusals count as a clean answer.

Each target takes the fuzzer's bytes the way the endpoint takes a request body (decoded with
replacement, cleaned as the view cleans it) and runs the same parse the endpoint and the
worker run, through to the common message form where the channel has one. A parser may
refuse input only with its own declared error; any other exception is a crash, which is the
bug a fuzzer exists to find.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "channels"


@dataclass(frozen=True)
class Target:
    run: Callable[[bytes], object]
    refusals: tuple[type[Exception], ...]
    seeds: tuple[Path, ...]


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _wechat(data: bytes) -> object:
    from beatdesk.channels.wechat.schemas import parse_envelope, parse_message

    text = _text(data)
    parse_envelope(text)
    return parse_message(text).to_incoming()


def _onebot(data: bytes) -> object:
    from beatdesk.channels.onebot.schemas import clean_text, parse_event

    return parse_event(clean_text(_text(data)))


def _qqbot(data: bytes) -> object:
    from beatdesk.channels.qqbot.schemas import clean_text, parse_envelope, parse_event

    envelope = parse_envelope(clean_text(_text(data)))
    return parse_event(envelope)


def _weibo_push(data: bytes) -> object:
    from beatdesk.channels.weibo.schemas import clean_text, parse_push

    return parse_push(clean_text(_text(data)))


def _weibo_page(data: bytes) -> object:
    from beatdesk.channels.weibo.schemas import (
        STREAMS,
        delivery_payload,
        parse_page,
        parse_polled,
    )

    stream = STREAMS[len(data) % len(STREAMS)]
    page = parse_page(data, stream)
    # What polling stores for each item is parsed again by the worker: both steps run.
    return [parse_polled(delivery_payload(stream, item)) for item in page.items]


def _open311(data: bytes) -> object:
    from django.http import QueryDict

    from beatdesk.portal.open311.schemas import parse_new_request

    return parse_new_request(QueryDict(_text(data)))


def _strict_json(data: bytes) -> object:
    from beatdesk.core.jsonin import parse_json

    return parse_json(_text(data))


def _lexicon_file(data: bytes) -> object:
    from beatdesk.checker.core import parse_lexicon

    return parse_lexicon(_text(data))


def _checker(data: bytes) -> object:
    from beatdesk.checker.core import check, load_default_lexicon

    return check(_text(data)[:3000], load_default_lexicon())


def _canary(data: bytes) -> object:
    # A parser with a planted bug: a body starting "{" followed by "!" crashes it.
    if data.startswith(b"{!"):
        raise KeyError("planted bug")
    return data


def _errors(module: str, *names: str) -> tuple[type[Exception], ...]:
    imported = __import__(module, fromlist=list(names))
    return tuple(getattr(imported, name) for name in names)


def _seeds(folder: str, suffix: str = ".json") -> tuple[Path, ...]:
    return tuple(sorted((FIXTURES / folder / "fixtures").glob(f"*{suffix}")))


def targets() -> dict[str, Target]:
    """Every parser that reads what a stranger sends, by name (imports Django models)."""
    here = Path(__file__).resolve().parent / "seeds"
    return {
        "wechat": Target(
            _wechat,
            _errors("beatdesk.channels.wechat.schemas", "PayloadError"),
            tuple(sorted(here.glob("wechat-*.xml"))),
        ),
        "onebot": Target(
            _onebot, _errors("beatdesk.channels.onebot.schemas", "PayloadError"), _seeds("onebot")
        ),
        "qqbot": Target(
            _qqbot, _errors("beatdesk.channels.qqbot.schemas", "PayloadError"), _seeds("qqbot")
        ),
        "weibo-push": Target(
            _weibo_push,
            _errors("beatdesk.channels.weibo.schemas", "PayloadError"),
            tuple(path for path in _seeds("weibo") if path.name.startswith("push_")),
        ),
        "weibo-page": Target(
            _weibo_page,
            _errors("beatdesk.channels.weibo.schemas", "PayloadError"),
            tuple(path for path in _seeds("weibo") if not path.name.startswith("push_")),
        ),
        "open311": Target(
            _open311,
            _errors("beatdesk.portal.open311.schemas", "Open311Error"),
            tuple(sorted(here.glob("open311-*.txt"))),
        ),
        "json": Target(
            _strict_json, _errors("beatdesk.core.jsonin", "JsonInputError"), _seeds("onebot")
        ),
        "lexicon": Target(
            _lexicon_file,
            _errors("beatdesk.checker.core", "LexiconFormatError"),
            tuple(sorted(here.glob("lexicon-*.tsv"))),
        ),
        "checker": Target(_checker, (), tuple(sorted(here.glob("text-*.txt")))),
        # Not a parser: proves that a crash fails the run (tests/fuzz/test_fuzz.py).
        "canary": Target(_canary, (), tuple(sorted(here.glob("canary-*.txt")))),
    }
