from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from beatdesk.checker.actions import MAX_LEXICON_BYTES
from beatdesk.checker.core import MAX_TEXT_LENGTH
from beatdesk.checker.models import LEXICON_CATEGORY_CHOICES, SEVERITY_CHOICES


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("Text to check"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
    )
    unit = forms.ChoiceField(label=_("Wording rules of"), required=False)

    def __init__(self, *args: object, units: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = units


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Lexicon file"),
        help_text=_(
            "Tab-separated UTF-8 text or an Excel workbook; it replaces this level's terms."
        ),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        # Refused before the worker is asked: a file this size is a mistake, not a lexicon.
        if (upload.size or 0) > MAX_LEXICON_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class TermForm(forms.Form):
    term = forms.CharField(label=_("Term"), max_length=64)
    category = forms.ChoiceField(label=_("Category"), choices=LEXICON_CATEGORY_CHOICES)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("Category default")), *SEVERITY_CHOICES],
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    suggestion = forms.CharField(label=_("Suggestion"), max_length=300, required=False)
    exceptions = forms.CharField(
        label=_("Context exceptions"),
        max_length=500,
        required=False,
        help_text=_("Words that make the term legitimate nearby, separated by |."),
    )


class AllowForm(forms.Form):
    term = forms.CharField(label=_("Term to allow at this level"), max_length=64)
