import random
from pathlib import Path

import pytest
import torch

from app.training.data import load_occupations
from app.training.pairs import PairSampler, augment_title, shared_label_links

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ontology.csv"


@pytest.fixture
def occs():
    return load_occupations(FIXTURE)


def test_simple_csv_format_loads(occs):
    dev = occs[2]
    assert dev.label == "software developer" and dev.group == "2512"
    assert dev.labels == ["software developer", "programmer", "software engineer", "coder"]


def test_unknown_columns_are_rejected(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("name,text\na,b\n")
    with pytest.raises(ValueError, match="expected ESCO columns"):
        load_occupations(bad)


def test_shared_labels_link_occupations(occs):
    links = shared_label_links(occs)
    assert links[2] == {3} and links[3] == {2} and 0 not in links  # "programmer" is on both


def test_sampler_batches_are_deterministic_and_masked(occs):
    a = PairSampler(occs, 6, seed=3).next()
    b = PairSampler(occs, 6, seed=3).next()
    assert a.anchors == b.anchors and torch.equal(a.labels, b.labels)
    assert sorted(a.labels.tolist()) == list(range(6))
    pos = {int(o): k for k, o in enumerate(a.labels)}
    assert a.linked[pos[2], pos[3]] and not a.linked[pos[0], pos[1]]
    for _anchor, target, lab in zip(a.anchors, a.targets, a.labels.tolist()):
        assert target == occs[lab].label  # targets are preferred labels by default


def test_sampler_rejects_oversized_batches(occs):
    with pytest.raises(ValueError):
        PairSampler(occs, 7)


def test_augment_title_keeps_the_title_recognisable():
    rng = random.Random(0)
    outs = [augment_title("cargo vehicle driver", rng) for _ in range(200)]
    assert len(set(outs)) > 20
    assert sum("driver" in o.lower() or "drievr" in o.lower() or "dirver" in o.lower() for o in outs) > 180
