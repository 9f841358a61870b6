"""What every encoder backend shares: the head on top of pooled vectors, and long documents as pooled chunks."""

import time
from pathlib import Path
from typing import Any

import numpy as np

from app.encoder.head import Head, unit
from app.encoder.priority import EncoderGate, current_priority
from app.encoder.texts import chunk_words
from app.metrics import ENCODE_SECONDS, ENCODE_SLICE_TEXTS, PRIORITY_NAMES

POOLINGS = ("max", "mean", "truncate")
SLICE = 8  # texts per turn on the encoder: at most about 0.1 s of work that a waiting match sits behind


class DocumentEncoder:
    """Subclasses set name, version, base_dim, head, serve and the chunk settings, and define encode_pooled."""

    name: str
    version: str
    base_dim: int
    head: Head | None = None
    model_dir: Path | None = None  # the trained artifact's folder (calibration lives there); None for a plain model
    serve: str = "pooled"
    backend: str
    path: Path  # where the weights (or the export) were loaded from
    model_file: str | None = None  # the ONNX file served; None for torch
    words_per_chunk: int = 150
    max_chunks: int = 8
    pooling: str = "mean"
    gate: EncoderGate  # set by each backend's __init__ (one per encoder)

    def encode_pooled(self, texts: list[str]) -> np.ndarray:
        """Unit-length mean-pooled sentence vectors (before any head)."""
        raise NotImplementedError

    @property
    def dim(self) -> int:
        return self.head.dim if self.serve == "head" and self.head is not None else self.base_dim

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.version}"

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.model_id,
            "name": self.name,
            "version": self.version,
            "dim": self.dim,
            "path": str(self.path),
            "chunk_pooling": self.pooling,
            "backend": self.backend,
            "file": self.model_file,
        }

    def group_probs(self, pooled: np.ndarray) -> np.ndarray | None:
        """(N, G, K) softmax-group distributions of pooled sentence vectors; None without such a head."""
        return None if self.head is None else self.head.probs(np.asarray(pooled, dtype=np.float32))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of `texts`, encoded SLICE at a time through the gate: bulk work yields to interactive
        callers between slices (`app/encoder/priority.py`)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts, priority = [], PRIORITY_NAMES[current_priority()]
        for start in range(0, len(texts), SLICE):
            with self.gate.turn():
                started = time.perf_counter()
                parts.append(self.encode_pooled(texts[start : start + SLICE]))
            ENCODE_SECONDS.labels(priority).observe(time.perf_counter() - started)
            ENCODE_SLICE_TEXTS.labels(priority).observe(len(parts[-1]))
        pooled = np.vstack(parts)
        return self.head(pooled) if self.serve == "head" and self.head is not None else pooled

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


def check_pooling(pooling: str) -> None:
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")


def pool_chunks(vecs: np.ndarray, owner: np.ndarray, n: int, pooling: str) -> np.ndarray:
    """Pool chunk vectors per document (element-wise max or mean), then rescale to unit length."""
    out = np.zeros((n, vecs.shape[1]), dtype=np.float32)
    for i in range(n):
        rows = vecs[owner == i]
        out[i] = rows.max(axis=0) if pooling == "max" else rows.mean(axis=0)
    return unit(out)
