"""The operator's post pages: the accounts and their posts, write a post, publish by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beatdesk.channels.access import (
    access_account_by_code,
    access_post_by_id,
    accounts_for,
    posts_for,
)
from beatdesk.channels.models import AccessToken, Account, ChannelKind, OutboxStatus
from beatdesk.channels.weibo.expiry import WARN_BEFORE
from beatdesk.channels.weibo.forms import AbandonForm, PostForm, PublicationForm, new_post_key
from beatdesk.channels.weibo.posts import (
    ABANDON_REASONS,
    PostHeldBack,
    PostRefused,
    do_abandon_post,
    do_record_publication,
    do_write_post,
)
from beatdesk.channels.weibo.sharing import settings_of
from beatdesk.checker.presentation import result_data
from beatdesk.core.ratelimit import client_address
from beatdesk.units.models import User

RECENT_POSTS = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _account_rows(user: User) -> list[dict[str, object]]:
    """Each Weibo account with when its token ends and whether that is close."""
    accounts = list(accounts_for(user).filter(kind=ChannelKind.WEIBO))
    ends = dict(
        AccessToken.objects.filter(account__in=accounts).values_list("account_id", "expires_at")
    )
    soon = timezone.now() + WARN_BEFORE
    rows = []
    for account in accounts:
        expires_at = ends.get(account.pk)
        rows.append(
            {
                "account": account,
                "by_hand": settings_of(account).by_hand,
                "expires_at": expires_at,
                "expires_soon": expires_at is not None and expires_at <= soon,
            }
        )
    return rows


@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    """The Weibo accounts the person may post through, and their latest posts."""
    user = _user(request)
    context = {
        "accounts": _account_rows(user),
        "posts": posts_for(user)[:RECENT_POSTS],
        "reasons": ABANDON_REASONS,
    }
    return render(request, "channels/posts/list.html", context)


def _write_context(account: Account, form: PostForm) -> dict[str, object]:
    return {"account": account, "form": form, "by_hand": settings_of(account).by_hand}


@login_required
def post_write(request: HttpRequest, code: str) -> HttpResponse:
    """Write a post for one account: checked, then sent or left for a person to publish."""
    account = access_account_by_code(_user(request), code, ChannelKind.WEIBO)
    if request.method != "POST":
        form = PostForm(initial={"key": new_post_key()})
        return render(request, "channels/posts/write.html", _write_context(account, form))

    form = PostForm(request.POST)
    check: dict[str, object] | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            post = do_write_post(
                account,
                _user(request),
                data["text"],
                rip=client_address(request),
                key=data["key"],
                confirmed=data["confirm_findings"],
            )
        except PostHeldBack as held:
            form.add_error(None, str(held))
            check = result_data(held.text, held.result)
        except PostRefused as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("posts:detail", post_id=post.pk)
    context = _write_context(account, form) | {"check": check}
    return render(request, "channels/posts/write.html", context, status=400)


def _detail(
    request: HttpRequest,
    post_id: int,
    publication: PublicationForm | None = None,
    abandon: AbandonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    post = access_post_by_id(_user(request), post_id)
    context = {
        "post": post,
        "text": str(post.payload.get("text", "")),
        "waiting": post.status == OutboxStatus.MANUAL,
        "may_abandon": post.status in {OutboxStatus.MANUAL, OutboxStatus.FAILED},
        "publication_form": publication or PublicationForm(),
        "abandon_form": abandon or AbandonForm(),
        "reason": ABANDON_REASONS.get(post.last_error_code, ""),
    }
    return render(request, "channels/posts/detail.html", context, status=status)


@login_required
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    """One post: its state and link, or the prepared text to publish by hand."""
    return _detail(request, post_id)


@login_required
@require_POST
def post_published(request: HttpRequest, post_id: int) -> HttpResponse:
    """Record the link of a post someone published by hand."""
    post = access_post_by_id(_user(request), post_id)
    form = PublicationForm(request.POST)
    if form.is_valid():
        try:
            do_record_publication(post, _user(request), form.cleaned_data["link"])
        except PostRefused as refused:
            form.add_error("link", str(refused))
        else:
            messages.success(request, _("The post's link is recorded."))
            return redirect("posts:detail", post_id=post.pk)
    return _detail(request, post_id, publication=form, status=400)


@login_required
@require_POST
def post_abandon(request: HttpRequest, post_id: int) -> HttpResponse:
    """Give up a post that waits for a person or failed for good."""
    post = access_post_by_id(_user(request), post_id)
    form = AbandonForm(request.POST)
    if form.is_valid():
        try:
            do_abandon_post(post, _user(request), form.cleaned_data["reason"])
        except PostRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The post is abandoned."))
            return redirect("posts:detail", post_id=post.pk)
    return _detail(request, post_id, abandon=form, status=400)
