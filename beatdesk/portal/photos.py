"""Residents' photos: decoded to prove what they are, then re-encoded with no metadata at all.

The file name and the browser's Content-Type are ignored: only decoding tells a JPEG from a
text file renamed `.jpg`. Re-encoding from bare pixels is what strips EXIF (GPS position,
camera, time), XMP, ICC profiles and comments, since none of them survives into a new image.
"""

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 8 * 1024 * 1024
# A phone camera makes up to about 50 megapixels; a declared size beyond this is refused
# before any pixel is decoded, which is what stops a small file that unpacks into gigabytes.
MAX_PIXELS = 50_000_000
# Stored photos are scaled down to this longest side: enough to read a plate or a sign.
MAX_STORED_SIDE = 2560

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoRefused(ValueError):
    """The upload is not a photo we accept; the message is safe to show to the resident."""


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded from its pixels alone, ready to store."""

    data: bytes
    content_type: str
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean_photo(raw: bytes) -> CleanPhoto:
    """Decode an upload, refuse what is not a sound JPEG, PNG or WebP, and strip it."""
    if len(raw) > MAX_PHOTO_BYTES:
        raise PhotoRefused(_("A photo may be at most 8 MB."))
    image, image_format = _decode(raw)
    try:
        return _encode(_bare_pixels(image, image_format), image_format)
    except (OSError, ValueError, TypeError, KeyError, SyntaxError) as error:
        # Pixels that decode but cannot be converted (a broken EXIF orientation, an exotic
        # mode) are refused like any unreadable photo rather than failing the whole form.
        logger.info("photo refused reason=%s", type(error).__name__)
        raise PhotoRefused(_("This photo could not be read. Try another one.")) from None


def _decode(raw: bytes) -> tuple[Image.Image, str]:
    # Pillow's own bomb check only warns below twice its limit; ours refuses outright, and
    # any warning while decoding is treated as an error.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            image = Image.open(io.BytesIO(raw), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused(_("This photo is too large in pixels. Send a smaller one."))
            image.load()
        except PhotoRefused:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError, Warning) as error:
            logger.info("photo refused reason=%s", type(error).__name__)
            raise PhotoRefused(_("Only JPEG, PNG or WebP photos can be sent.")) from None
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            # Truncated or corrupt data: the header looked right, the pixels did not.
            logger.info("photo refused reason=%s", type(error).__name__)
            raise PhotoRefused(_("This photo could not be read. Try another one.")) from None
    assert image.format is not None
    return image, image.format


def _bare_pixels(image: Image.Image, image_format: str) -> Image.Image:
    """Return a new image holding only the pixels, turned the way the camera meant."""
    # The orientation tag goes with the rest of EXIF, so it is applied to the pixels first.
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
    mode = "RGBA" if has_alpha and image_format != "JPEG" else "RGB"
    converted = upright.convert(mode)
    converted.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    # A fresh image built from raw bytes carries no info dictionary, EXIF, ICC or text.
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encode(pixels: Image.Image, image_format: str) -> CleanPhoto:
    output = io.BytesIO()
    if image_format == "JPEG":
        pixels.save(output, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        pixels.save(output, "PNG", optimize=True)
    else:
        pixels.save(output, "WEBP", quality=85)
    return CleanPhoto(output.getvalue(), FORMATS[image_format], pixels.width, pixels.height)
