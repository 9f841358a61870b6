"""A trained artifact, saved and loaded by the service encoder, gives the vectors the trainer computed."""

from pathlib import Path

import numpy as np
import pytest

from app.encoder.sentence import SentenceTransformerEncoder, bundled_model_path
from app.training.data import load_occupations
from app.training.train import TrainConfig, train

pytestmark = pytest.mark.slow  # trains a small model twice

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ontology.csv"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    occs = load_occupations(FIXTURE)
    cfg = TrainConfig(steps=3, batch_size=4, warmup_steps=1, groups=2, group_size=8, seed=1)
    model, run = train(occs, bundled_model_path(), cfg)
    out = tmp_path_factory.mktemp("artifact")
    model.save(out, {"name": "tiny", "serve": "pooled", "train": run})
    return model, out, run


def test_service_encoder_reproduces_the_trained_vectors(trained):
    model, out, run = trained
    texts = ["ICU nurse", "Senior Software Engineer (m/f/d)", "lorry driver"]
    served = SentenceTransformerEncoder(out)
    assert served.name == "tiny" and served.dim == 384 and run["steps_done"] == 3
    cos = np.sum(served.encode(texts) * model.encode(texts), axis=1)
    assert np.all(cos > 0.9999)
    probs = served.group_probs(served.encode_pooled(texts))
    assert probs.shape == (3, 2, 8) and np.allclose(probs.sum(-1), 1.0, atol=1e-5)


def test_training_moves_the_weights_and_is_deterministic(trained, tmp_path):
    model, out, _ = trained
    base = SentenceTransformerEncoder()
    served = SentenceTransformerEncoder(out)
    v_base, v_trained = base.encode(["programmer"]), served.encode(["programmer"])
    assert (v_base @ v_trained.T).item() < 0.99999  # the adapters changed something
    assert served.version != base.version
    occs = load_occupations(FIXTURE)
    again, _ = train(
        occs, bundled_model_path(), TrainConfig(steps=3, batch_size=4, warmup_steps=1, groups=2, group_size=8, seed=1)
    )
    assert np.allclose(again.encode(["programmer"]), model.encode(["programmer"]), atol=1e-5)
