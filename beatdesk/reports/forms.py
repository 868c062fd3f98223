from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from beatdesk.units.models import Unit

DEFAULT_DAYS = 30
PERIOD_CHOICES = [
    (7, _("Last 7 days")),
    (30, _("Last 30 days")),
    (90, _("Last 90 days")),
]


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    """Units indented by depth, so that the tree reads in the list as it does in the matrix."""

    top_depth = 0

    def label_from_instance(self, obj: Unit) -> str:
        return "\u2003" * (obj.depth - self.top_depth) + obj.name


class ReportFilterForm(forms.Form):
    """The period and the unit a report covers; both optional, read from the query string."""

    days = forms.TypedChoiceField(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        coerce=int,
        required=False,
        initial=DEFAULT_DAYS,
    )
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All my units"),
        to_field_name="code",
    )

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitChoiceField)
        unit_field.queryset = units
        unit_field.top_depth = min((unit.depth for unit in units), default=0)

    def chosen_days(self) -> int:
        days = self.cleaned_data.get("days") if self.is_valid() else None
        return days or DEFAULT_DAYS

    def chosen_unit(self) -> Unit | None:
        return self.cleaned_data.get("unit") if self.is_valid() else None
