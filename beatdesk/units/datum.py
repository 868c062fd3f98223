"""Map coordinates from China's GCJ-02 datum back to WGS-84, the datum of unit outlines.

Maps published in China (Tencent, AMap, and so WeChat's "send location") must shift
positions by a fixed, public obfuscation: GCJ-02. The shift is a few hundred metres, which is
the width of a street block, enough to put a point by a boundary into the neighbouring
station's area. Unit outlines are kept in WGS-84 (GPS, OpenStreetMap, survey data), so a
GCJ-02 point is turned back before it is compared with them.

The forward shift is a closed formula; it has no closed inverse, so `gcj02_to_wgs84` walks
back to the point whose shift lands on the given one, which takes a few steps to reach well
under a centimetre. Outside mainland China's bounding box no shift is applied, by the
datum's own definition. Django-free: the routing code and its tests use it alike.
"""

import math

# The ellipsoid the datum is defined on (Krasovsky 1940): semi-major axis and eccentricity².
_AXIS = 6378245.0
_ECCENTRICITY_SQUARED = 0.00669342162296594323
# The datum shifts only inside this box (longitude, latitude bounds).
_BOX = (72.004, 137.8347, 0.8293, 55.8271)
_STEPS = 30
_CLOSE_ENOUGH_DEGREES = 1e-10


def in_shift_area(longitude: float, latitude: float) -> bool:
    """Return whether GCJ-02 shifts points here at all (mainland China's bounding box)."""
    west, east, south, north = _BOX
    return west <= longitude <= east and south <= latitude <= north


def wgs84_to_gcj02(longitude: float, latitude: float) -> tuple[float, float]:
    """Return where a GCJ-02 map shows a WGS-84 point, as (longitude, latitude)."""
    if not in_shift_area(longitude, latitude):
        return longitude, latitude
    east, north = _shift_in_degrees(longitude, latitude)
    return longitude + east, latitude + north


def gcj02_to_wgs84(longitude: float, latitude: float) -> tuple[float, float]:
    """Return the WGS-84 point a GCJ-02 map shows at (longitude, latitude)."""
    if not in_shift_area(longitude, latitude):
        return longitude, latitude
    guess_lon, guess_lat = longitude, latitude
    for _ in range(_STEPS):
        shown_lon, shown_lat = wgs84_to_gcj02(guess_lon, guess_lat)
        miss_lon, miss_lat = shown_lon - longitude, shown_lat - latitude
        if abs(miss_lon) < _CLOSE_ENOUGH_DEGREES and abs(miss_lat) < _CLOSE_ENOUGH_DEGREES:
            break
        # The shift changes slowly over a few hundred metres, so stepping back by the miss
        # converges quickly.
        guess_lon, guess_lat = guess_lon - miss_lon, guess_lat - miss_lat
    return guess_lon, guess_lat


def _shift_in_degrees(longitude: float, latitude: float) -> tuple[float, float]:
    x, y = longitude - 105.0, latitude - 35.0
    north_metres = _north_term(x, y)
    east_metres = _east_term(x, y)

    # Convert the two terms, expressed on the ellipsoid, into degrees at this latitude.
    radians = math.radians(latitude)
    curvature = 1 - _ECCENTRICITY_SQUARED * math.sin(radians) ** 2
    root = math.sqrt(curvature)
    meridian = _AXIS * (1 - _ECCENTRICITY_SQUARED) / (curvature * root)
    parallel = _AXIS / root * math.cos(radians)
    return (
        east_metres * 180.0 / (parallel * math.pi),
        north_metres * 180.0 / (meridian * math.pi),
    )


def _north_term(x: float, y: float) -> float:
    value = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    value += _fine_waves(x)
    value += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    value += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y / 30.0 * math.pi)) * 2 / 3
    return value


def _east_term(x: float, y: float) -> float:
    value = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    value += _fine_waves(x)
    value += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    value += (150.0 * math.sin(x / 12.0 * math.pi) + 300 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return value


def _fine_waves(x: float) -> float:
    # The short-period ripple both terms share, over longitude only.
    return (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
