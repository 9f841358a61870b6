"""A radius filter with the cells its circle reaches (`app.matching.geo_cells`) is planned by the engine
from the cells' exact count: where the geo index alone counts every point of the coarse tiles around the
circle and sends the search to the graph, the cells let it scan the few points that pass. The results are
the same points either way: the radius still decides."""

import dataclasses
import uuid

import numpy as np

from app.domain import Filters
from app.matching.filters import build_filter
from app.matching.geo_cells import cell_of
from app.store.base import FieldType, StoredPoint, StoreLayout
from app.store.edge import EdgeStore
from tests.unit.store.test_scan_threshold import DIM, small_segments_get_an_index  # noqa: F401  (a fixture)

N = 6000
# 2% of the points in Berlin; the rest in Warsaw (520 km: outside a 300 km circle, inside the geo index's
# tiles around it) and Madrid
CITIES = [(52.52, 13.40)] * 1 + [(52.23, 21.01)] * 30 + [(40.42, -3.70)] * 19
# a sparse graph searched shallow, extra links only for payload values above 128 points (8 KB of vectors: not
# Berlin's 120); at search time, filters the engine counts at most 1,000 points of scan the int8 copies
LAYOUT = StoreLayout("int8", 4.0, hnsw_m=4, hnsw_ef_construct=4, hnsw_ef=4, full_scan_kb=8, scan_max_points=1000)
FIELDS = {"f_geo": FieldType.GEO, "f_geo_cell": FieldType.KEYWORD}


def test_the_cells_turn_a_tile_overestimate_into_a_scan_of_the_points_that_pass(tmp_path):
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=dataclasses.replace(LAYOUT, scan_max_points=None))
    store.ensure_collection("c", DIM, FIELDS)
    vecs = np.random.default_rng(5).normal(size=(N, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    points = []
    for i, v in enumerate(vecs):
        lat, lon = CITIES[i % len(CITIES)]
        payload = {"f_geo": {"lat": lat, "lon": lon}, "f_geo_cell": cell_of(lat, lon)}
        points.append(StoredPoint(str(uuid.UUID(int=i + 1)), payload, v.tolist()))
    store.upsert("c", points)
    store.optimize("c")
    store.close()
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=LAYOUT)  # the scan threshold written
    store.ensure_collection("c", DIM, FIELDS)

    berlin = Filters(lat=52.52, lon=13.40, radius_km=300)
    radius_only, with_cells = build_filter(berlin), build_filter(berlin, combined=True)
    assert len(radius_only.must) == 1 and len(with_cells.must) == 2
    assert store.count("c", radius_only) == store.count("c", with_cells) == N // 50

    def recall(flt) -> float:
        found = []
        for q in vecs[:60]:
            got = {h.id for h in store.search("c", q.tolist(), flt, 10)}
            truth = {h.id for h in store.search("c", q.tolist(), radius_only, 10, exact=True)}
            found.append(len(got & truth) / 10)
        return float(np.mean(found))

    assert recall(radius_only) < 0.5  # planned from the tiles (62% of the points): the shallow graph (~0.01)
    assert recall(with_cells) >= 0.99  # planned from the cells (2%): every passing point scanned
    store.close()
