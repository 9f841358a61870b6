"""The whole-degree cells a radius filter names (`app.matching.geo_cells`): every point the radius keeps
lies in one of them, near the antimeridian too; circles the cells cannot bound name none."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from app.matching.geo_cells import EARTH_RADIUS_M, cell_of, cells_within


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine, as the engine measures a radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def destination(lat: float, lon: float, bearing: float, meters: float) -> tuple[float, float]:
    """The point `meters` from (lat, lon) along `bearing` (degrees) on the sphere."""
    d, b, p = meters / EARTH_RADIUS_M, math.radians(bearing), math.radians(lat)
    p2 = math.asin(math.sin(p) * math.cos(d) + math.cos(p) * math.sin(d) * math.cos(b))
    l2 = math.radians(lon) + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p), math.cos(d) - math.sin(p) * math.sin(p2)
    )
    lon2 = (math.degrees(l2) + 180) % 360 - 180
    return math.degrees(p2), lon2


def test_a_location_has_the_cell_of_its_whole_degrees():
    assert cell_of(52.52, 13.40) == "52:13"
    assert cell_of(-34.6, -58.4) == "-35:-59"  # floor, not truncation
    assert cell_of(10.0, 180.0) == cell_of(10.0, -180.0) == "10:-180"  # the antimeridian is one cell


def test_a_circle_names_the_cells_it_reaches_and_no_far_one():
    cells = set(cells_within(52.52, 13.40, 300_000))
    assert {"52:13", "53:9", "50:14"} <= cells  # Berlin, Hamburg (255 km), Prague (280 km)
    assert "52:21" not in cells and "48:11" not in cells  # Warsaw (520 km), Munich (504 km)
    assert cells_within(52.52, 13.40, 1_000) == ("52:13",)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-85, 85),
    lon=st.floats(-180, 180),
    km=st.floats(0.1, 3000),
    bearing=st.floats(0, 360),
    share=st.floats(0, 1),
)
def test_every_point_the_radius_keeps_lies_in_a_named_cell(lat, lon, km, bearing, share):
    cells = cells_within(lat, lon, km * 1000)
    if cells is None:  # too many cells, or a pole inside: no cell condition, nothing to check
        return
    p_lat, p_lon = destination(lat, lon, bearing, km * 1000 * share)
    assert distance_m(lat, lon, p_lat, p_lon) <= km * 1000 * 1.0001
    assert cell_of(p_lat, p_lon) in cells


def test_the_widest_point_of_a_circle_and_the_antimeridian():
    # at 60 N a 300 km circle reaches ~5.4 degrees of longitude either way, widest north of its centre's latitude
    for bearing in range(0, 360, 5):
        p = destination(60.0, 179.5, bearing, 299_999)
        assert cell_of(*p) in cells_within(60.0, 179.5, 300_000)
    assert "60:-176" in cells_within(60.0, 179.5, 300_000)  # across the antimeridian


def test_circles_the_cells_cannot_bound_name_none():
    assert cells_within(89.0, 0.0, 200_000) is None  # the north pole inside
    assert cells_within(-88.5, 10.0, 300_000) is None  # the south pole inside
    assert cells_within(0.0, 0.0, 10_000_000) is None  # a quarter of the globe
    assert cells_within(52.0, 13.0, 2_000_000) is None  # more than MAX_CELLS
    assert cells_within(52.0, 13.0, 1_000_000) is not None
