"""The encoder interface the rest of the service depends on; both backends (torch, ONNX) satisfy it."""

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.encoder.priority import EncoderGate


class Encoder(Protocol):
    """Turns texts into unit-length vectors: the dot product of two vectors is their match score."""

    name: str
    version: str  # a content hash of the weights: two different models never share it
    backend: str  # "torch" or "onnx"
    serve: str  # "pooled" (sentence vectors; the head reads them) or "head" (the head's output)
    model_dir: Path | None  # the trained artifact's folder (its calibration lives there); None for a plain model
    gate: EncoderGate  # one slice of texts on the encoder at a time; bulk work yields to interactive work

    @property
    def dim(self) -> int: ...

    @property
    def model_id(self) -> str:
        """`name@version`: what every stored vector is tagged with."""
        ...

    def encode(self, texts: list[str]) -> np.ndarray:
        """Short texts (queries, titles): one pass each, truncated at the model window."""
        ...

    def encode_documents(self, docs: list[tuple[str, str]]) -> np.ndarray:
        """(head, body) pairs; a body longer than the window is chunked and the chunks pooled."""
        ...

    def group_probs(self, pooled: np.ndarray) -> np.ndarray | None:
        """(N, G, K) softmax-group distributions of pooled vectors; None for a model without a head."""
        ...

    def describe(self) -> dict[str, Any]:
        """What /ready shows of the model: id, name, version, dim, path, backend, file, chunk pooling."""
        ...
