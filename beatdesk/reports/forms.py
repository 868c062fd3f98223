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
    """The period and the unit a report covers; both optional, read from the query string.

    Each filter stands on its own: a bad period leaves the chosen unit in force and a bad
    unit leaves the period, each refused with its own message beside its list, and the
    list then shows what the report falls back to.
    """

    days = forms.TypedChoiceField(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        coerce=int,
        required=False,
        initial=DEFAULT_DAYS,
        error_messages={
            "invalid_choice": _(
                "That period is not in the list; the report shows the last 30 days instead."
            )
        },
    )
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All my units"),
        to_field_name="code",
        # The same words for a unit that does not exist and one outside the reader's units,
        # so that the message tells nothing about units one may not see.
        error_messages={
            "invalid_choice": _(
                "That unit is not one of yours; the report shows all your units instead."
            )
        },
    )

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitChoiceField)
        unit_field.queryset = units
        unit_field.top_depth = min((unit.depth for unit in units), default=0)

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not self.errors:
            return
        # A refused filter's list shows the value the report uses instead, never the
        # refused one nor the first option, which would claim a period the charts lack.
        shown = dict(self.data.items())
        if "days" in self.errors:
            shown["days"] = str(DEFAULT_DAYS)
        if "unit" in self.errors:
            shown["unit"] = ""
        self.data = shown

    def chosen_days(self) -> int:
        days = self._kept("days")
        return days if isinstance(days, int) and days else DEFAULT_DAYS

    def chosen_unit(self) -> Unit | None:
        unit = self._kept("unit")
        assert unit is None or isinstance(unit, Unit)
        return unit

    def chosen_params(self) -> dict[str, str]:
        """Return the filters in force, as a job keeps them and the query string names them."""
        unit = self.chosen_unit()
        return {"days": str(self.chosen_days()), "unit": unit.code if unit else ""}

    def _kept(self, name: str) -> object:
        # A field that failed is missing from cleaned_data; the others are kept.
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)


class ReportFileForm(ReportFilterForm):
    """The filters a report file is asked for with; any bad one refuses the whole request."""

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, units=units, **kwargs)
        # No fallback here: a file is made only of the filters its maker chose.
        self.fields["days"].error_messages["invalid_choice"] = _("That period is not in the list.")
        self.fields["unit"].error_messages["invalid_choice"] = _(
            "You may not take a report of that unit away as a file."
        )
