"""GCJ-02 points from Chinese maps are turned back into the WGS-84 of unit outlines."""

import math
import random

import pytest

from beatdesk.units.datum import gcj02_to_wgs84, in_shift_area, wgs84_to_gcj02

# Reference shifts computed with the coord-convert 0.2.1 package from PyPI (MIT), an
# independent implementation of the same public formula: (WGS-84) -> (GCJ-02).
REFERENCE = [
    ((120.15, 30.27), (120.1547086300946, 30.267679697333424)),  # West Lake, Hangzhou
    ((116.3975, 39.9087), (116.40374357265176, 39.91010349934476)),  # Beijing
    ((87.6168, 43.8256), (87.61964994946926, 43.82680539311119)),  # Urumqi
    ((110.33, 20.03), (110.33436811051284, 20.027952291737968)),  # Haikou
]


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[1] - b[1]) * 111_320
    east = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(north, east)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_the_forward_shift_matches_an_independent_implementation(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    shifted = wgs84_to_gcj02(*wgs)

    assert shifted == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_a_gcj02_point_comes_back_to_where_the_resident_stood(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    back = gcj02_to_wgs84(*gcj)

    assert _metres(back, wgs) < 0.01
    # The shift is hundreds of metres: enough to cross into the next station's area.
    assert 100 < _metres(gcj, wgs) < 1000


def test_points_all_over_china_round_trip_within_a_centimetre() -> None:
    generator = random.Random(20261204)
    for _ in range(2000):
        wgs = (generator.uniform(74.0, 134.0), generator.uniform(18.0, 53.0))

        back = gcj02_to_wgs84(*wgs84_to_gcj02(*wgs))

        assert _metres(back, wgs) < 0.01


def test_outside_mainland_china_no_shift_is_applied() -> None:
    for point in [(2.3522, 48.8566), (-74.006, 40.7128), (139.6917, 35.6895)]:
        assert not in_shift_area(*point)
        assert wgs84_to_gcj02(*point) == point
        assert gcj02_to_wgs84(*point) == point
