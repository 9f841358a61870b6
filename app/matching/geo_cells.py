"""Whole-degree cells of latitude and longitude: a keyword beside each stored location (`f_geo_cell`) that
lets a radius filter name the cells its circle can reach. Pure functions.

Why: the engine's geo index estimates how many points a radius keeps from the geohash tiles around the
circle, and counts every point in those tiles as kept. A 300 km circle around Berlin is covered by tiles
of 1,250 x 625 km, so a filter keeping 17% of the candidates was estimated at no fewer than 80%, and the
engine searched the graph, checking the radius at each point it visited, where a scan of the points that
pass would have been cheaper. With the cells the circle can reach as a second condition, the keyword
index's count of those cells bounds the estimate, and the engine plans by it. The radius condition is kept:
the cells only narrow, they decide nothing.
"""

import math

# the engine's great-circle distance uses the mean Earth radius; a circle is widened by MARGIN (relative)
# and MARGIN_DEG so that rounding never leaves out a cell holding a point the radius keeps
EARTH_RADIUS_M = 6_371_008.8
MARGIN = 1e-3
MARGIN_DEG = 1e-6
# a circle reaching more cells than this (radius over ~1,000 km in Europe) is left to the geo index alone
MAX_CELLS = 1_000


def _lon_index(k: int) -> int:
    """Longitude cells wrap: 180 E is cell -180."""
    return (k + 180) % 360 - 180


def cell_of(lat: float, lon: float) -> str:
    """The cell of one location: "52:13" for Berlin (52.52 N, 13.40 E), "-34:-59" for Buenos Aires."""
    return f"{math.floor(lat)}:{_lon_index(math.floor(lon))}"


def cells_within(lat: float, lon: float, meters: float) -> tuple[str, ...] | None:
    """Every cell holding a point within `meters` of (lat, lon), and possibly a few more; None where the
    circle holds a pole, spans half the globe's longitudes or reaches more than MAX_CELLS cells (then no
    cell condition is added)."""
    d = meters * (1 + MARGIN) / EARTH_RADIUS_M  # the radius as an angle (radians)
    if d >= math.pi / 2:
        return None
    phi = math.radians(lat)
    lat_lo, lat_hi = lat - math.degrees(d) - MARGIN_DEG, lat + math.degrees(d) + MARGIN_DEG
    if lat_lo <= -90 or lat_hi >= 90:
        return None
    # the widest longitude a spherical cap reaches (at the latitude where a meridian touches it)
    ratio = math.sin(d) / math.cos(phi)
    if ratio >= 1:
        return None
    dlon = math.degrees(math.asin(ratio)) + MARGIN_DEG
    if dlon >= 180:
        return None
    lat_cells = range(math.floor(lat_lo), math.floor(lat_hi) + 1)
    lon_cells = range(math.floor(lon - dlon), math.floor(lon + dlon) + 1)
    if len(lat_cells) * len(lon_cells) > MAX_CELLS:
        return None
    lon_set = sorted({_lon_index(k) for k in lon_cells})
    return tuple(f"{a}:{b}" for a in lat_cells for b in lon_set)
