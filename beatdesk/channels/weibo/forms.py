"""The operator's forms for posts: write one, record its link, or abandon it."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from beatdesk.channels.weibo.links import MAX_LINK_LENGTH
from beatdesk.channels.weibo.posts import ABANDON_REASONS
from beatdesk.channels.weibo.sharing import BY_HAND_LIMIT
from beatdesk.inbox.forms import CHOOSE


def new_post_key() -> str:
    """Return a fresh key for a post form: a resubmission of the same form reuses it."""
    return secrets.token_hex(16)


class PostForm(forms.Form):
    # Checkbox labels follow their box; a colon after them reads oddly.
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    text = forms.CharField(
        label=_("Post"),
        max_length=BY_HAND_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "At most 140 Weibo characters through the API (two Latin letters count as one), "
            "no #topic#, and a link on the account's bound domain (the portal link is added "
            "when the account has one)."
        ),
    )
    key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    confirm_findings = forms.BooleanField(
        label=_("I have reviewed the checker's findings; post the text as written"),
        required=False,
    )


class PublicationForm(forms.Form):
    link = forms.CharField(
        label=_("Address of the published post"),
        max_length=MAX_LINK_LENGTH,
        help_text=_("For example https://weibo.com/1234567890/AbCdEfGhI"),
    )


class AbandonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the post abandoned?"),
        choices=[("", CHOOSE), *ABANDON_REASONS.items()],
    )
