"""Which model and which backend the service runs: settings in, a loaded encoder out."""

import logging
from pathlib import Path

from app.encoder.base import Encoder
from app.settings import Settings

log = logging.getLogger(__name__)

MODELS = Path(__file__).resolve().parents[2] / "models"
DEFAULT_MODEL = MODELS / "jobmatch-esco"
BASE_EXPORT = MODELS / "all-MiniLM-L6-v2-onnx"  # where the base model's ONNX export goes (no folder of its own)


def resolve_model_path(settings: Settings) -> Path | None:
    """The trained artifact by default; `JOBMATCH_MODEL_PATH=base` for the bundled base model.

    A missing default artifact falls back to the base model, with a warning in the log."""
    if settings.model_path is not None:
        return None if str(settings.model_path) == "base" else settings.model_path
    if DEFAULT_MODEL.exists():
        return DEFAULT_MODEL
    log.warning("trained model %s not found: serving the base all-MiniLM-L6-v2 instead", DEFAULT_MODEL)
    return None


def onnx_dir(model_path: Path | None) -> Path:
    """The ONNX export of a model: its `onnx/` subfolder (models/all-MiniLM-L6-v2-onnx for the base)."""
    from app.encoder.sentence import ONNX_DIR

    return Path(model_path) / ONNX_DIR if model_path else BASE_EXPORT


def usable_export(model_path: Path | None) -> Path | None:
    """The model's ONNX export if there is one made from these very weights, else None (with a warning)."""
    from app.encoder.onnx_runtime import read_export
    from app.encoder.sentence import model_version

    folder = onnx_dir(model_path)
    meta = read_export(folder)
    if meta is None:
        return None
    if model_path is not None and meta.get("version") != model_version(Path(model_path)):
        log.warning(
            "ONNX export %s was made from other weights (%s); run jobmatch-export-onnx again",
            folder,
            meta.get("version"),
        )
        return None
    return folder


def build_encoder(settings: Settings) -> Encoder:
    """`JOBMATCH_ENCODER_BACKEND`: auto (ONNX when a matching export exists, else torch), onnx or torch."""
    model_path = resolve_model_path(settings)
    chunking = (settings.encode_batch_size, settings.chunk_words, settings.max_chunks, settings.chunk_pooling)
    if settings.encoder_backend != "torch":
        export = usable_export(model_path)
        if export is not None:
            from app.encoder.onnx_runtime import OnnxEncoder

            return OnnxEncoder(export, *chunking, threads=settings.encoder_threads)
        if settings.encoder_backend == "onnx":
            raise FileNotFoundError(
                f"JOBMATCH_ENCODER_BACKEND=onnx but {onnx_dir(model_path)} holds no usable "
                "export: run .venv/bin/jobmatch-export-onnx"
            )
        log.info("no ONNX export at %s: using the torch backend (jobmatch-export-onnx makes one)", onnx_dir(model_path))
    from app.encoder.sentence import SentenceTransformerEncoder

    return SentenceTransformerEncoder(model_path, *chunking)
