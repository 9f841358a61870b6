"""The ONNX Runtime backend: exported from the trained artifact, checked against torch, picked by default."""

import json
import logging
import shutil

import numpy as np
import pytest

from app.encoder.factory import DEFAULT_MODEL, build_encoder
from app.encoder.onnx_export import ExportCheckFailed, export_onnx, quantize_int8
from app.encoder.onnx_runtime import EXPORT_META, OnnxEncoder
from app.encoder.sentence import ONNX_DIR, SentenceTransformerEncoder, model_version
from app.encoder.texts import candidate_text, job_text
from app.matching.scorer import MatchScorer
from app.settings import Settings
from tests.fixtures.people import CANDIDATES, JOBS

pytestmark = pytest.mark.slow  # exports the model to ONNX and int8

TEXTS = [
    "Senior Python developer",
    "Krankenpfleger Intensivstation",
    "forklift driver, night shift",
    "a very long text " * 120,
]
DOCS = [job_text(j) for j in JOBS] + [candidate_text(c) for c in CANDIDATES] + [("Nurse", "ward rounds " * 400)]


@pytest.fixture(scope="session")
def artifact(tmp_path_factory):
    """A copy of the served artifact with a fresh ONNX export in its onnx/ folder."""
    folder = tmp_path_factory.mktemp("model") / "jobmatch-esco"
    shutil.copytree(DEFAULT_MODEL, folder, ignore=shutil.ignore_patterns(ONNX_DIR))
    export_onnx(folder, folder / ONNX_DIR, TEXTS)
    return folder


@pytest.fixture(scope="session")
def torch_encoder(artifact):
    return SentenceTransformerEncoder(artifact)


def cosines(a, b):
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_export_gives_the_torch_vectors(artifact, torch_encoder):
    onnx = OnnxEncoder(artifact / ONNX_DIR, batch_size=2)
    assert onnx.model_id == torch_encoder.model_id  # same weights, same id: stored vectors stay valid
    assert json.loads((artifact / ONNX_DIR / EXPORT_META).read_text())["check"]["min_cosine"] >= 0.9999
    assert cosines(onnx.encode_documents(DOCS), torch_encoder.encode_documents(DOCS)).min() >= 0.9999
    pooled = torch_encoder.encode_pooled(TEXTS)
    assert np.allclose(onnx.group_probs(onnx.encode_pooled(TEXTS)), torch_encoder.group_probs(pooled), atol=1e-4)


def test_the_calibration_beside_the_artifact_applies_to_both_backends(artifact, torch_encoder):
    assert MatchScorer.for_encoder(OnnxEncoder(artifact / ONNX_DIR)).calibration is not None
    assert MatchScorer.for_encoder(torch_encoder).calibration is not None


def test_batching_and_length_sorting_do_not_change_vectors(artifact):
    one = OnnxEncoder(artifact / ONNX_DIR, batch_size=1).encode(TEXTS)
    many = OnnxEncoder(artifact / ONNX_DIR, batch_size=3).encode(TEXTS)
    assert cosines(one, many).min() >= 0.9999


def test_the_export_is_not_part_of_the_model_version(artifact):
    assert model_version(artifact) == model_version(DEFAULT_MODEL)


def test_int8_stays_close_and_matches_the_right_field(artifact, torch_encoder):
    int8 = OnnxEncoder(artifact / ONNX_DIR, model_file=quantize_int8(artifact / ONNX_DIR))
    jobs, cands = [job_text(j) for j in JOBS], [candidate_text(c) for c in CANDIDATES]
    assert cosines(int8.encode_documents(DOCS), torch_encoder.encode_documents(DOCS)).mean() > 0.95
    best = np.argmax(int8.encode_documents(jobs) @ int8.encode_documents(cands).T, axis=1)
    # close calls may swap (int8 ranks Chloe above Anna for the Python job), but not across fields
    assert best[0] in (0, 2) and best[1] == 1


def test_a_failed_check_leaves_no_usable_export(artifact, tmp_path):
    with pytest.raises(ExportCheckFailed):
        export_onnx(artifact, tmp_path / "onnx", TEXTS, min_cosine=1.5)
    assert not (tmp_path / "onnx" / EXPORT_META).exists()


def test_backend_selection(artifact, tmp_path, caplog):
    assert build_encoder(Settings(model_path=artifact)).backend == "onnx"  # auto: the export exists
    assert build_encoder(Settings(model_path=artifact, encoder_backend="torch")).backend == "torch"

    bare = tmp_path / "bare"
    shutil.copytree(artifact, bare, ignore=shutil.ignore_patterns(ONNX_DIR))
    assert build_encoder(Settings(model_path=bare)).backend == "torch"
    with pytest.raises(FileNotFoundError, match="jobmatch-export-onnx"):
        build_encoder(Settings(model_path=bare, encoder_backend="onnx"))

    stale = tmp_path / "stale"
    shutil.copytree(artifact, stale)
    meta = json.loads((stale / ONNX_DIR / EXPORT_META).read_text())
    (stale / ONNX_DIR / EXPORT_META).write_text(json.dumps({**meta, "version": "0123456789ab"}))
    with caplog.at_level(logging.WARNING):
        assert build_encoder(Settings(model_path=stale)).backend == "torch"
    assert "other weights" in caplog.text
