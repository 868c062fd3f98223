from django import forms
from django.utils.translation import gettext_lazy as _

from beatdesk.inbox.models import CaseStatus, CaseType

ANSWER_MAX_CHARACTERS = 600


class AnswerForm(forms.Form):
    # Checkbox labels follow their box; a colon after them reads oddly.
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    text = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain words; the resident reads this on their phone."),
    )
    resolve = forms.BooleanField(label=_("Mark the case resolved after sending"), required=False)
    confirm_findings = forms.BooleanField(
        label=_("I have reviewed the checker's findings; send the answer as written"),
        required=False,
    )


class TypeForm(forms.Form):
    case_type = forms.ChoiceField(
        label=_("Type"), choices=[c for c in CaseType.choices if c[0] != CaseType.UNCLASSIFIED]
    )


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Working days from arrival"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason for the extension"), max_length=300)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
