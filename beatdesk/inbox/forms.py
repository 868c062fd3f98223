import uuid
from datetime import date, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from beatdesk.inbox.models import (
    CaseStatus,
    CaseType,
    FollowUpKind,
    MediationOutcome,
    UnsealReason,
    VerificationMethod,
    VerificationOutcome,
)
from beatdesk.units.duty import DUTY_DAYS_AHEAD, local_day, people_for
from beatdesk.units.models import Unit, User

ANSWER_MAX_CHARACTERS = 600
# Django's own words for an empty choice; written here so that our catalog translates them,
# which Django's Chinese catalog does not yet do.
CHOOSE = _("- Select an option -")


class AnswerForm(forms.Form):
    # Checkbox labels follow their box; a colon after them reads oddly.
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["submission"].initial = uuid.uuid4().hex

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
    # Shown only on a case others' cases were merged into; the page words its label with
    # their number. Ticked at first: their reports are the same matter.
    to_merged = forms.BooleanField(required=False, initial=True)
    # A fresh token on every page: sent twice, the same form writes its answer once.
    submission = forms.RegexField(
        regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput
    )


TYPE_CHOICES = [c for c in CaseType.choices if c[0] != CaseType.UNCLASSIFIED]


class TypeForm(forms.Form):
    case_type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Working days from arrival"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason for the extension"), max_length=300)


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=FollowUpKind.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MediationOutcome.choices)
    happened_on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Who met, what was agreed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_on = forms.DateField(
        label=_("Next follow-up on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty when no further visit is planned."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: object, unit: Unit, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people_for(unit)


class TransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(
        label=_("Unit to ask"), queryset=Unit.objects.none(), empty_label=CHOOSE
    )
    reason = forms.CharField(label=_("Why that unit should take it"), max_length=300)

    def __init__(self, *args: object, case_unit: Unit, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["to_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.exclude(pk=case_unit.pk).order_by("path")


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why your unit cannot take it"), max_length=300)


BULK_ACTIONS = [
    ("assign", _("Assign to")),
    ("status", _("Change status to")),
    ("type", _("Set type to")),
]


class CaseIdsField(forms.Field):
    """Case ids from ticked boxes; whether the user may act on them is the action's check."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        values = value if isinstance(value, list | tuple) else []
        try:
            ids = sorted({int(str(item)) for item in values})
        except ValueError:
            raise forms.ValidationError(_("Choose cases from the list.")) from None
        if not ids:
            raise forms.ValidationError(_("Tick at least one case."))
        return ids


class BulkForm(forms.Form):
    cases = CaseIdsField()
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *CaseStatus.choices], required=False
    )
    case_type = forms.ChoiceField(
        label=_("Type"), choices=[("", "—"), *TYPE_CHOICES], required=False
    )

    def __init__(self, *args: object, people: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        needed = {"status": "status", "type": "case_type"}.get(str(data.get("action")))
        if needed and not data.get(needed):
            raise forms.ValidationError(_("Choose the new value for the chosen cases."))
        return data


class DutyForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=CHOOSE
    )
    user = forms.ModelChoiceField(
        label=_("Person on duty"), queryset=User.objects.none(), empty_label=CHOOSE
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        unit_field, user_field = self.fields["unit"], self.fields["user"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        assert isinstance(user_field, forms.ModelChoiceField)
        unit_field.queryset = units
        user_field.queryset = User.objects.filter(
            is_active=True, role_assignments__unit__in=units
        ).distinct()

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        unit, day = cleaned.get("unit"), cleaned.get("day")
        if isinstance(unit, Unit) and isinstance(day, date):
            # The roster shows the coming two weeks; a duty outside them could not be seen
            # or removed again.
            today = local_day(unit)
            if not today <= day < today + timedelta(days=DUTY_DAYS_AHEAD):
                self.add_error("day", _("Choose a day from today to two weeks ahead."))
        return cleaned


class CannedAnswerForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("For the unit (and the units below it)"),
        queryset=Unit.objects.none(),
        empty_label=CHOOSE,
    )
    title = forms.CharField(label=_("Title"), max_length=60)
    text = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain words; officers can still change it before sending."),
    )

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class VerificationForm(forms.Form):
    """How a tip or help request was checked; what each outcome needs is the action's check."""

    method = forms.ChoiceField(
        label=_("How it was checked"), choices=[("", CHOOSE), *VerificationMethod.choices]
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Needed when checked another way. Do not write who sent a sealed tip."),
    )
    outcome = forms.ChoiceField(
        label=_("What was found"), choices=[("", CHOOSE), *VerificationOutcome.choices]
    )
    department = forms.CharField(label=_("Department it went to"), max_length=60, required=False)
    criminal_case_number = forms.CharField(
        label=_("Criminal case number"),
        max_length=40,
        required=False,
        help_text=_("For staff only: never told to the resident."),
    )


class UnsealForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Why you need to see the tipster"),
        choices=[("", CHOOSE), *UnsealReason.choices],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kept with the case for the leaders who may unseal; the audit trail keeps its "
            "kind and length. Do not write the tipster's name or contact here."
        ),
    )
