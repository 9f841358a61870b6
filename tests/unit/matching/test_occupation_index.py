"""The occupation index on the real embedded store and the real encoder: label points plus a
description point per occupation, re-ranking by description, and re-indexing older layouts."""

import numpy as np
import pytest

from app.matching.lexical import Lexicon
from app.matching.occupations import COLLECTION, DESCRIPTION, OccupationIndex, description_point_id
from app.matching.ranking import RankingProfile, mix
from app.settings import Settings
from app.store.conditions import Filter, Match
from app.store.edge import EdgeStore
from tests.fixtures.occupations import OCCUPATIONS

# two occupations whose labels say little; only their descriptions tell them apart
TWINS = [
    {"external_id": "a", "label": "technician type A", "description": "Repairs the engines of commercial aircraft."},
    {"external_id": "b", "label": "technician type B", "description": "Installs solar panels on house roofs."},
]


@pytest.fixture
def store(tmp_path):
    s = EdgeStore(Settings(data_dir=tmp_path).data_dir, 10_000)
    yield s
    s.close()


def index(encoder, store, weight: float) -> OccupationIndex:
    idx = OccupationIndex(encoder, store, "m1", weights=RankingProfile(weight))
    idx.open()
    return idx


def test_each_occupation_has_a_description_point_with_its_label_radius(encoder, store):
    idx = index(encoder, store, 0.5)
    ((occ, _),) = idx.put_many([OCCUPATIONS[1]])
    (point,) = store.retrieve(COLLECTION, [description_point_id(occ.id)], with_vector=True)
    assert point.payload["kind"] == DESCRIPTION and 0 < point.payload["radius"] <= 1
    assert point.payload["labels"] == [OCCUPATIONS[1]["label"], *OCCUPATIONS[1]["alt_labels"]]
    expected = encoder.encode([OCCUPATIONS[1]["description"]])[0]
    assert float(np.dot(point.vector, expected)) > 0.9999
    assert idx.page(10, 0)[1] == 1  # the description point is not an occupation of its own


def test_descriptions_re_rank_and_scores_stay_on_the_cosine_scale(encoder, store):
    text = "aircraft engine mechanic"
    by_labels = index(encoder, store, 0.0)
    ids = {o.doc["external_id"]: o.id for o, _ in by_labels.put_many(TWINS)}
    with_desc = OccupationIndex(encoder, store, "m1", weights=RankingProfile(1.0))
    hits = with_desc.candidates(encoder.encode([text])[0], 2).page
    assert hits[0].occupation.id == ids["a"] and hits[0].score > hits[1].score
    h = hits[0].candidate
    assert (
        h.score == pytest.approx(mix(h.label_score, h.description_score, 0.0, RankingProfile(1.0)))
        and -1 <= h.score <= 1
    )
    assert h.label_text == "technician type A" and h.description_score > hits[1].candidate.description_score


def test_the_lexical_score_re_ranks_by_wording(encoder, store):
    ids = {o.doc["external_id"]: o.id for o, _ in index(encoder, store, 0.0).put_many(TWINS)}
    lexicon = Lexicon.fit(["technician type A", "technician type B"])
    text = "Technician (Type B), m/f/d"
    hybrid = OccupationIndex(encoder, store, "m1", weights=RankingProfile(0.0, 10.0, lexicon))
    hits = hybrid.candidates(encoder.encode([text])[0], 2, text=text).page
    assert [h.occupation.id for h in hits] == [ids["b"], ids["a"]]
    for h in hits:
        c = h.candidate
        assert c.lexical_score == pytest.approx(float(lexicon.best(text, [[c.label_text]])[0]), abs=1e-6)
        assert c.score == pytest.approx(mix(c.label_score, c.description_score, c.lexical_score, hybrid.weights))


def test_an_older_layout_is_not_searched_until_re_indexed(encoder, store):
    idx = index(encoder, store, 0.5)
    ((occ, _),) = idx.put_many([OCCUPATIONS[2]])
    # what an older version stored: label points only, without the layout tag
    store.delete(COLLECTION, [description_point_id(occ.id)])
    for p in store.find(COLLECTION, Filter(must=[Match("occupation_id", occ.id)]), 100):
        store.upsert(
            COLLECTION,
            [
                type(p)(
                    p.id,
                    {k: v for k, v in p.payload.items() if k != "layout"},
                    store.retrieve(COLLECTION, [p.id], with_vector=True)[0].vector,
                )
            ],
        )
    q = encoder.encode(["truck driver"])[0]
    assert idx.candidates(q, 3).page == [] and idx.count_stale() == 1
    assert idx.reembed_stale() == 1 and idx.count_stale() == 0
    assert [h.occupation.id for h in idx.candidates(q, 3).page] == [occ.id]
