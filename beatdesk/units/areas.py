"""Which unit covers a place: address keywords and outlines per unit, most specific first.

A place is named in a resident's words (a community, a street, a landmark) or given as a
point (WGS-84 longitude, latitude). The deepest unit whose area holds it wins; between
keywords at that depth the longest wins where one contains the other, so "幸福小区东区"
beats "幸福小区". Two different units still tied at the same depth is ambiguous, and
ambiguity answers None: a person routes such a case rather than a guess.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q

from beatdesk.units.access import subtree_filter
from beatdesk.units.models import AreaKeyword, AreaPolygon, Unit

logger = logging.getLogger(__name__)

Point = tuple[float, float]


@dataclass(frozen=True)
class AreaMatch:
    """The unit a place belongs to, and why: the keyword found or the outline that holds it."""

    unit: Unit
    via: Literal["keyword", "polygon"]
    name: str
    depth: int


def unit_for_place(
    *, text: str = "", point: Point | None = None, within: Unit | None = None
) -> AreaMatch | None:
    """Return the most specific unit whose area holds the place, or None if unsure.

    `point` is (longitude, latitude); `within` limits the search to that unit's subtree.
    """
    matches = _keyword_matches(text, within) + _polygon_matches(point, within)
    if not matches:
        return None
    deepest = max(match.depth for match in matches)
    winners = _most_specific([match for match in matches if match.depth == deepest])
    if len({match.unit.pk for match in winners}) > 1:
        logger.info("place is ambiguous units=%s", sorted({m.unit.pk for m in winners}))
        return None
    return winners[0]


def _most_specific(matches: list[AreaMatch]) -> list[AreaMatch]:
    """Drop every keyword found only as part of a longer keyword found in the same words.

    "幸福小区" inside "幸福小区东区" is the same place named less precisely; "幸福小区" and
    "和平路" are two places, and stay two. What is left must agree on one unit.
    """
    names = {match.name for match in matches if match.via == "keyword"}
    return [
        match for match in matches if match.via == "polygon" or not _inside_longer(match, names)
    ]


def _inside_longer(match: AreaMatch, names: set[str]) -> bool:
    return any(match.name in name and name != match.name for name in names)


def _scope(within: Unit | None) -> Q:
    return subtree_filter([within], "unit__") if within is not None else Q()


def _keyword_matches(text: str, within: Unit | None) -> list[AreaMatch]:
    # Residents type spaces inside names ("幸福 小区"); compare without any.
    squeezed = "".join(text.split())
    if not squeezed:
        return []
    return [
        AreaMatch(area.unit, "keyword", area.keyword, area.unit.depth)
        for area in AreaKeyword.objects.filter(_scope(within)).select_related("unit")
        if "".join(area.keyword.split()) in squeezed
    ]


def _polygon_matches(point: Point | None, within: Unit | None) -> list[AreaMatch]:
    if point is None:
        return []
    return [
        AreaMatch(area.unit, "polygon", area.name, area.unit.depth)
        for area in AreaPolygon.objects.filter(_scope(within)).select_related("unit")
        if contains(area.points, point)
    ]


def contains(polygon: Sequence[Sequence[float]], point: Point) -> bool:
    """Return whether the point lies inside the polygon or on its edge.

    Ray casting: a ray from the point crosses the outline an odd number of times exactly
    when the point is inside. Points on an edge count as inside, so a point on the line
    between two stations matches both and is reported as ambiguous, not given to one.
    """
    x, y = point
    inside = False
    count = len(polygon)
    for index in range(count):
        (x1, y1), (x2, y2) = polygon[index][:2], polygon[(index + 1) % count][:2]
        if _on_segment(x, y, x1, y1, x2, y2):
            return True
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


# About a centimetre in degrees: closer than this to an edge is on it.
EDGE_TOLERANCE = 1e-7


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float) -> bool:
    cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)
    length = max(abs(x2 - x1), abs(y2 - y1), EDGE_TOLERANCE)
    if abs(cross) / length > EDGE_TOLERANCE:
        return False
    within_x = min(x1, x2) - EDGE_TOLERANCE <= x <= max(x1, x2) + EDGE_TOLERANCE
    within_y = min(y1, y2) - EDGE_TOLERANCE <= y <= max(y1, y2) + EDGE_TOLERANCE
    return within_x and within_y
