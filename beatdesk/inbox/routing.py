"""Where a message says it is: the place clues a case can be routed by.

Responsibility follows the account first: only a case that arrived through the account of
a unit with units under it (a city or county account) is routed by place, and only to a
unit below that one. Clues are the resident's words, the label and coordinates of a
location message, and the resident's last reported position (WeChat's LOCATION event).

Unit outlines are in WGS-84. A location message is a point picked on the chat app's map,
which in China is a GCJ-02 map (Tencent's), so it is shifted back first; the LOCATION event
is taken as the phone's own GPS fix in WGS-84, as developers report it (the official page
names no datum).
"""

import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from beatdesk.inbox.models import Case, Message, MessageKind
from beatdesk.units.areas import AreaMatch, Point, unit_for_place
from beatdesk.units.datum import gcj02_to_wgs84

logger = logging.getLogger(__name__)

# A reported position older than this says where the resident was, not where the matter is.
POSITION_FRESHNESS = timedelta(minutes=30)


@dataclass(frozen=True)
class PlaceClues:
    text: str
    point: Point | None


def point_of(message: Message) -> Point | None:
    """Return (longitude, latitude) carried by a location message or event, if any."""
    attributes = message.attributes or {}
    if message.kind == MessageKind.LOCATION:
        shown = _point(attributes.get("Location_Y"), attributes.get("Location_X"))
        return gcj02_to_wgs84(*shown) if shown else None
    # Of the events, only LOCATION (the resident's reported position) carries Latitude.
    if message.kind == MessageKind.EVENT and "Latitude" in attributes:
        return _point(attributes.get("Longitude"), attributes.get("Latitude"))
    return None


def _point(longitude: object, latitude: object) -> Point | None:
    try:
        lon, lat = float(str(longitude)), float(str(latitude))
    except ValueError:
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or (lon, lat) == (0.0, 0.0):
        # Phones report 0,0 when they have no fix; it is in the sea off Africa, not here.
        return None
    return (lon, lat)


def clues_of(message: Message) -> PlaceClues:
    """Return the place clues of a message, falling back to the resident's fresh position."""
    text = message.text
    if message.kind == MessageKind.LOCATION:
        text = " ".join(part for part in (text, message.attributes.get("Label", "")) if part)
    point = point_of(message) or _recent_position(message)
    return PlaceClues(text=text, point=point)


def _recent_position(message: Message) -> Point | None:
    since = message.sent_at - POSITION_FRESHNESS
    events = Message.objects.filter(
        resident_id=message.resident_id, kind=MessageKind.EVENT, sent_at__gte=since
    ).order_by("-sent_at", "-id")
    for event in events[:5]:
        point = point_of(event)
        if point is not None:
            return point
    return None


def routable(case: Case) -> bool:
    """Return whether the case may still be routed by place on its own.

    Only while it sits, untouched, at a unit with units below it that owns its account:
    once routed, assigned or offered to another unit, people decide where it goes.
    """
    return (
        case.unit_id == case.account.unit_id
        and case.assignee_id is None
        and case.unit.children.exists()
        and not case.transfers.exists()
    )


def place_match(case: Case, clues: PlaceClues) -> AreaMatch | None:
    """Return the unit below the case's unit that the clues name, if exactly one does."""
    if not clues.text and clues.point is None:
        return None
    match = unit_for_place(text=clues.text, point=clues.point, within=case.unit)
    if match is None or match.unit.pk == case.unit_id:
        return None
    return match
