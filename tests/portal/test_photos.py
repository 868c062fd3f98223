"""Photos are checked by decoding and stored stripped of every piece of metadata."""

import io
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from beatdesk.channels.models import InboundDelivery
from beatdesk.inbox.models import Case
from beatdesk.portal.models import Photo
from beatdesk.portal.photos import MAX_PHOTO_BYTES
from tests.conftest import Cast, signed_in
from tests.portal.conftest import form_fields, image_bytes

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

GPS_IFD = 0x8825


def _upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _send(*photos: SimpleUploadedFile) -> "Response":
    return Client().post("/write/", form_fields(photos=list(photos)))


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Phonemaker"
    exif[0x0110] = "Pocket 12"
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 7.5), 3: "E", 4: (120.0, 9.0, 1.0)}
    output = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 30)).save(output, "JPEG", exif=exif)
    return output.getvalue()


def test_it_stores_a_photo_with_gps_exif_without_any_metadata(stations: Cast) -> None:
    original = _photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)

    response = _send(_upload("IMG_0001.jpg", original))

    assert response.status_code == 200
    stored = bytes(Photo.objects.get().data)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"Phonemaker" not in stored
    assert "exif" not in image.info and "icc_profile" not in image.info


def test_it_accepts_a_png_renamed_jpg_and_stores_it_as_png(stations: Cast) -> None:
    response = _send(_upload("screenshot.jpg", image_bytes("PNG")))

    assert response.status_code == 200
    assert Photo.objects.get().content_type == "image/png"


def test_it_accepts_a_webp_photo(stations: Cast) -> None:
    response = _send(_upload("photo.webp", image_bytes("WEBP"), "image/webp"))

    assert response.status_code == 200
    assert Photo.objects.get().content_type == "image/webp"


def test_it_refuses_a_text_file_renamed_jpg(stations: Cast) -> None:
    response = _send(_upload("photo.jpg", "这不是图片，只是一段文字。".encode()))

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_gif_even_though_it_is_an_image(stations: Cast) -> None:
    response = _send(_upload("photo.jpg", image_bytes("GIF")))

    assert response.status_code == 400
    assert not Photo.objects.exists()


def test_it_refuses_a_truncated_jpeg(stations: Cast) -> None:
    whole = image_bytes("JPEG", (400, 300))

    response = _send(_upload("photo.jpg", whole[: len(whole) // 2]))

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_decompression_bomb_before_decoding_it(stations: Cast) -> None:
    # 100 megapixels in one bit each compress to a few kilobytes.
    output = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(output, "PNG")
    assert len(output.getvalue()) < 200_000

    response = _send(_upload("bomb.png", output.getvalue(), "image/png"))

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_refuses_a_photo_over_8_mb(stations: Cast) -> None:
    oversize = image_bytes("PNG") + b"\0" * MAX_PHOTO_BYTES

    response = _send(_upload("big.png", oversize, "image/png"))

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_refuses_more_than_three_photos(stations: Cast) -> None:
    photos = [_upload(f"{n}.png", image_bytes("PNG"), "image/png") for n in range(4)]

    response = _send(*photos)

    assert response.status_code == 400
    assert not InboundDelivery.objects.exists()


def test_it_shows_photos_to_officer_anna_and_answers_404_to_officer_bo(stations: Cast) -> None:
    _send(_upload("a.png", image_bytes("PNG"), "image/png"))
    photo, case = Photo.objects.get(), Case.objects.get()
    address = f"/portal/photos/{photo.pk}/"

    page = signed_in(stations.officer_a).get(f"/inbox/cases/{case.pk}/").content.decode()
    shown = signed_in(stations.officer_a).get(address)

    assert address in page
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(shown.content)).size == (64, 48)
    assert signed_in(stations.officer_b).get(address).status_code == 404
    assert signed_in(stations.outsider).get(address).status_code == 404
    assert Client().get(address).status_code == 302
