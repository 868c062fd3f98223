"""The public write form: parse what a resident typed and uploaded into a typed submission."""

import re
import unicodedata
from datetime import datetime

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beatdesk.inbox.models import CaseType
from beatdesk.portal.access import stations_for_residents
from beatdesk.portal.photos import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    CleanPhoto,
    PhotoRefused,
    clean_photo,
)
from beatdesk.portal.submissions import MAX_TEXT, RESIDENT_TYPES, Submission
from beatdesk.units.areas import unit_for_place
from beatdesk.units.models import Unit

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,30}$")


# Embeddings, overrides and isolates reorder how the text after them is shown: a phone number
# or a place written after U+202E reads backwards on the officer's screen. Plain marks (U+200E,
# U+200F) and joiners, which emoji need, only nudge neighbours and are kept.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_text(value: str) -> str:
    """Drop control and direction-override characters but line breaks and tabs; unify ends."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        char
        for char in value
        if char in "\n\t" or (unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS)
    ).strip()


class PlainTextField(forms.CharField):
    """A text field that drops control characters before any check runs.

    Residents paste text with NUL and other control characters in it; Django would refuse
    a NUL with a message that makes no sense to them, so such characters are removed first.
    """

    def to_python(self, value: object) -> str:
        return plain_text(str(super().to_python(value)))


class PhoneField(PlainTextField):
    """Phone keyboards in Chinese input mode type full-width digits; NFKC makes them ASCII."""

    def to_python(self, value: object) -> str:
        return unicodedata.normalize("NFKC", super().to_python(value))


class StationChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class WriteForm(forms.Form):
    station = StationChoiceField(
        label=gettext_lazy("Station"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("Let the place below decide"),
        required=False,
    )
    place = PlainTextField(
        label=gettext_lazy("Where is it? (a community, street or landmark)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Without a station chosen, this picks the station that covers it."),
    )
    case_type = forms.ChoiceField(
        label=gettext_lazy("What is it about?"),
        choices=[(code, CaseType(code).label) for code in RESIDENT_TYPES],
        widget=forms.RadioSelect,
    )
    text = PlainTextField(
        label=gettext_lazy("Your message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What happened, where and when. At most 4,000 characters."),
    )
    name = PlainTextField(
        label=gettext_lazy("Your name (optional)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = PhoneField(
        label=gettext_lazy("Your phone number (optional)"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Only the station sees it, to call you back if needed."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Send this tip anonymously: no name or phone number is kept"),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "anonymous-help"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.label_suffix = ""
        self.fields["station"].queryset = stations_for_residents()  # type: ignore[attr-defined]
        self.photos: list[CleanPhoto] = []

    def clean_text(self) -> str:
        text = plain_text(str(self.cleaned_data["text"]))
        if not text:
            raise forms.ValidationError(_("Write your message before sending it."))
        return text

    def clean_phone(self) -> str:
        phone = plain_text(str(self.cleaned_data["phone"]))
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number with digits only."))
        return phone

    def clean_name(self) -> str:
        return plain_text(str(self.cleaned_data["name"]))

    def clean_place(self) -> str:
        return plain_text(str(self.cleaned_data["place"]))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("anonymous") and cleaned.get("case_type") != CaseType.TIP:
            self.add_error("anonymous", _("Only tips can be sent anonymously."))
        if not cleaned.get("station") and "station" not in self.errors:
            cleaned["station"] = self._station_for_place(cleaned)
        self.photos = self._clean_photos()
        return cleaned

    def _station_for_place(self, cleaned: dict[str, object]) -> Unit | None:
        """Return the one open station whose area the place (or else the message) names."""
        stations = stations_for_residents()
        for words in (str(cleaned.get("place") or ""), str(cleaned.get("text") or "")):
            match = unit_for_place(text=words) if words else None
            if match is not None and stations.filter(pk=match.unit.pk).exists():
                return match.unit
        self.add_error(
            "station",
            _("We could not tell which station covers that place. Please choose a station."),
        )
        return None

    def _clean_photos(self) -> list[CleanPhoto]:
        uploads: list[UploadedFile[bytes]] = self.files.getlist("photos") if self.files else []
        uploads = [upload for upload in uploads if upload.size]
        if len(uploads) > MAX_PHOTOS:
            self.add_error(None, _("You can send at most 3 photos."))
            return []
        photos = []
        for number, upload in enumerate(uploads, start=1):
            try:
                photos.append(clean_photo(_read_bounded(upload)))
            except PhotoRefused as refused:
                self.add_error(
                    None, _("Photo %(number)s: %(why)s") % {"number": number, "why": refused}
                )
        return photos

    def submission(self, sent_at: datetime) -> Submission:
        """Return the typed submission; an anonymous tip keeps no contact details."""
        data = self.cleaned_data
        submission = Submission(
            via="web",
            case_type=str(data["case_type"]),
            text=str(data["text"]),
            sent_at=sent_at,
            name=str(data["name"]),
            phone=str(data["phone"]),
            anonymous=bool(data["anonymous"]),
            address=str(data.get("place") or ""),
            photos=tuple(photo.digest for photo in self.photos),
        )
        return submission.without_contact() if submission.anonymous else submission


def _read_bounded(upload: "UploadedFile[bytes]") -> bytes:
    """Read at most one byte past the limit, so an oversize file is refused, not loaded."""
    upload.seek(0)
    return bytes(upload.read(MAX_PHOTO_BYTES + 1))


class RatingForm(forms.Form):
    """The resident's rating of an answered case, 1 (poor) to 5 (very good)."""

    score = forms.TypedChoiceField(
        label=gettext_lazy("Your rating"),
        choices=[(score, str(score)) for score in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
