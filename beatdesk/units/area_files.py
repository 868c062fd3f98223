"""Load unit areas from CSV or Excel: every row or none, each problem with its line number.

Columns: `unit` (a unit code), then either `keyword` (a place name) or `name` and `polygon`
(points "longitude,latitude" in WGS-84, separated by semicolons). A file states the whole
area of every unit it names: that unit's old keywords and outlines are replaced, so a
name dropped from the file stops routing cases. Units the file does not name keep theirs.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from beatdesk.audit.actions import record
from beatdesk.core.tables import Row, TableFileError, read_table
from beatdesk.units.models import AreaKeyword, AreaPolygon, Unit, User

logger = logging.getLogger(__name__)

COLUMNS = ["unit", "keyword", "name", "polygon"]
MAX_NAME_LENGTH = 64
# More points than this is a surveyed boundary pasted whole; simplify it first.
MAX_POINTS = 2000


class AreaFileError(Exception):
    """The file cannot be imported; `problems` lists each with its line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class UnitAreas:
    keywords: set[str] = field(default_factory=set)
    polygons: dict[str, list[list[float]]] = field(default_factory=dict)


def read_rows(path: Path) -> list[Row]:
    """Read the file's rows with their line numbers; refuse an unknown format or header."""
    try:
        return read_table(path, "unit")
    except TableFileError as error:
        raise AreaFileError(error.problems) from None


def parse_points(text: str) -> list[list[float]]:
    """Parse "lon,lat;lon,lat;..." into points, refusing anything that is not an outline."""
    points = []
    for part in [part.strip() for part in text.split(";") if part.strip()]:
        pieces = part.split(",")
        if len(pieces) != 2:
            raise ValueError(f"{part!r} is not a point written as longitude,latitude")
        try:
            lon, lat = float(pieces[0]), float(pieces[1])
        except ValueError:
            raise ValueError(f"{part!r} is not a point written as longitude,latitude") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"{part!r} is outside the range of longitude and latitude")
        points.append([lon, lat])
    if points and points[0] == points[-1]:
        # A closed ring repeats its first point; the outline is the same without it.
        points.pop()
    if not 3 <= len(points) <= MAX_POINTS:
        raise ValueError(f"an outline needs between 3 and {MAX_POINTS} distinct points")
    return points


def _read_row(row: dict[str, str], units: dict[str, Unit], areas: dict[int, UnitAreas]) -> None:
    code = row.get("unit", "")
    unit = units.get(code) or Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValueError(f"unit {code!r} is not defined")
    units[code] = unit
    keyword, name, polygon = row.get("keyword", ""), row.get("name", ""), row.get("polygon", "")
    if bool(keyword) == bool(polygon):
        raise ValueError("give either a keyword or a polygon, not both or neither")
    if len(keyword or name) > MAX_NAME_LENGTH:
        raise ValueError(f"a keyword or name has at most {MAX_NAME_LENGTH} characters")
    unit_areas = areas.setdefault(unit.pk, UnitAreas())
    if keyword:
        unit_areas.keywords.add(keyword)
        return
    if not name:
        raise ValueError("a polygon needs a name, shown as the reason a case went there")
    if name in unit_areas.polygons:
        raise ValueError(f"the unit already has a polygon named {name!r} in this file")
    unit_areas.polygons[name] = parse_points(polygon)


def read_areas(path: Path) -> tuple[dict[str, Unit], dict[int, UnitAreas]]:
    """Read and check the whole file; raise AreaFileError listing every bad row."""
    units: dict[str, Unit] = {}
    areas: dict[int, UnitAreas] = {}
    problems = []
    for line, row in read_rows(path):
        try:
            _read_row(row, units, areas)
        except ValueError as error:
            problems.append(f"line {line}: {error}")
    if problems:
        raise AreaFileError(problems)
    return units, areas


def import_areas(path: Path, actor: User | None = None) -> dict[str, UnitAreas]:
    """Replace the areas of every unit the file names, all at once; nothing on error."""
    units, areas = read_areas(path)
    with transaction.atomic():
        for unit in units.values():
            _replace_areas(unit, areas[unit.pk], actor)
    logger.info("areas imported units=%s", len(units))
    return {code: areas[unit.pk] for code, unit in units.items()}


def _replace_areas(unit: Unit, areas: UnitAreas, actor: User | None) -> None:
    AreaKeyword.objects.filter(unit=unit).delete()
    AreaPolygon.objects.filter(unit=unit).delete()
    AreaKeyword.objects.bulk_create(
        AreaKeyword(unit=unit, keyword=keyword) for keyword in sorted(areas.keywords)
    )
    AreaPolygon.objects.bulk_create(
        AreaPolygon(unit=unit, name=name, points=points) for name, points in areas.polygons.items()
    )
    record(
        "unit.areas_imported",
        unit,
        actor=actor,
        unit=unit,
        keywords=len(areas.keywords),
        polygons=len(areas.polygons),
    )
