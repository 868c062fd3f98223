from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

# A matrix of every unit of a province is a few hundred kilobytes; this leaves ample room.
MATRIX_MAX_BYTES = 2 * 1024 * 1024
MATRIX_SUFFIXES = {".csv", ".xlsx"}


class MatrixFileForm(forms.Form):
    file = forms.FileField(
        label=_("Matrix file"),
        help_text=_("A .csv file (UTF-8) or an .xlsx workbook, at most 2 MB."),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in MATRIX_SUFFIXES:
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size is None or upload.size > MATRIX_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
