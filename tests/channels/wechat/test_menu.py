"""The custom menu is built from the knowledge, pushed through menu/create, and its clicks
are answered from the same knowledge."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account, OutboxMessage
from beatdesk.channels.wechat.client import WeChatAPIError, create_menu
from beatdesk.channels.wechat.fake_api import MENU_CREATE_PATH, FakeWeChatAPI
from beatdesk.channels.wechat.menu import menu_for
from beatdesk.channels.wechat.peer import WeChatPeer, parse_document
from beatdesk.inbox.knowledge import group_key
from beatdesk.inbox.models import Case, Message
from tests.channels.wechat.pushes import push
from tests.conftest import APP_ID, Cast


def test_the_menu_of_the_common_knowledge_is_pushed_and_audited(
    cast: Cast, account: Account, fake_wechat: FakeWeChatAPI
) -> None:
    call_command("wechat_menu", "--account", account.code)

    pushed = fake_wechat.menu_of(APP_ID)
    assert pushed == menu_for(account)
    assert [button["name"] for button in pushed["button"]] == ["警务信息", "业务咨询", "便民查询"]
    [audit] = AuditRecord.objects.filter(action="account.menu_pushed")
    assert audit.details == {"buttons": 3}


def test_a_dry_run_prints_the_menu_and_calls_nobody(
    account: Account, fake_wechat: FakeWeChatAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("wechat_menu", "--account", account.code, "--dry-run")

    printed = json.loads(capsys.readouterr().out)
    assert len(printed["button"]) == 3
    assert fake_wechat.count(MENU_CREATE_PATH) == 0


def test_a_plan_over_wechats_limits_is_refused_before_any_call(
    account: Account, fake_wechat: FakeWeChatAPI, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[menu]\n"业务咨询" = ["户籍", "身份证", "居住证", "出入境", "交通车辆", "证明"]\n',
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="has 6 items"):
        call_command("wechat_menu", "--account", account.code, "--plan", str(plan))
    assert fake_wechat.count(MENU_CREATE_PATH) == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [("menu = [", "the menu was not changed"), ('[menu]\n"警务信息" = "通知公告"\n', "strings")],
)
def test_a_broken_plan_file_is_refused(
    account: Account, fake_wechat: FakeWeChatAPI, tmp_path: Path, text: str, problem: str
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError, match=problem):
        call_command("wechat_menu", "--account", account.code, "--plan", str(plan))
    assert fake_wechat.count(MENU_CREATE_PATH) == 0


def test_wechats_refusal_is_explained_and_nothing_is_recorded(
    account: Account, fake_wechat: FakeWeChatAPI
) -> None:
    fake_wechat.fail_next(MENU_CREATE_PATH, errcode=48001)

    with pytest.raises(CommandError, match="needs verification by WeChat"):
        call_command("wechat_menu", "--account", account.code)
    assert not AuditRecord.objects.filter(action="account.menu_pushed").exists()
    assert fake_wechat.menu_of(APP_ID) is None


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": []}, 40016),
        ({"button": [{"type": "click", "name": "警务信息公开栏目", "key": "K"}]}, 40018),
        ({"button": [{"type": "tap", "name": "警务", "key": "K"}]}, 40015),
        ({"button": [{"name": "警务", "sub_button": []}]}, 40017),
        ({"button": [{"name": "警务", "sub_button": [{"type": "click", "name": "通知"}]}]}, 40026),
    ],
)
def test_the_fake_holds_menus_to_wechats_limits(
    account: Account, fake_wechat: FakeWeChatAPI, menu: dict[str, object], errcode: int
) -> None:
    with pytest.raises(WeChatAPIError) as refused:
        create_menu(account, menu)

    assert refused.value.code == errcode


def click(account: Account, peer: WeChatPeer, openid: str, key: str) -> str:
    """Push a menu click as WeChat would; return the text of the passive reply."""
    response, query = push(Client(), account, peer, peer.build_event(openid, "CLICK", key=key))
    assert response.status_code == 200
    reply = peer.open_reply(response.content, query)
    assert reply is not None
    content = parse_document(reply.encode()).findtext("Content")
    assert content is not None
    return content


def test_a_click_on_an_entry_gets_its_answer_and_opens_no_case(
    account: Account, peer: WeChatPeer
) -> None:
    answer = click(account, peer, "oMENU1", "KB_traffic-violation")

    assert answer.startswith("违章查询、处理和缴纳罚款")
    assert not Case.objects.filter(resident__external_id="oMENU1").exists()
    # The worker keeps it in the conversation; the one-minute window is left unspent.
    kept = Message.objects.get(resident__external_id="oMENU1", is_automatic=True)
    assert kept.text == answer
    assert not OutboxMessage.objects.filter(recipient="oMENU1").exists()


def test_a_click_on_a_group_lists_its_questions(account: Account, peer: WeChatPeer) -> None:
    answer = click(account, peer, "oMENU2", group_key("业务咨询", "身份证"))

    assert answer.startswith("关于“身份证”，大家常问的有：")


def test_a_click_on_a_button_the_knowledge_no_longer_has_invites_a_question(
    account: Account, peer: WeChatPeer
) -> None:
    answer = click(account, peer, "oMENU3", "KB_an-entry-since-removed")

    assert "110" in answer


def test_a_click_on_a_menu_made_elsewhere_gets_no_automatic_answer(
    account: Account, peer: WeChatPeer
) -> None:
    response, query = push(
        Client(), account, peer, peer.build_event("oMENU4", "CLICK", key="V1001_TODAY_MUSIC")
    )

    assert peer.open_reply(response.content, query) is None
    assert not Message.objects.filter(resident__external_id="oMENU4", is_automatic=True).exists()
