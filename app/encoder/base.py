"""The encoder interface the rest of the service depends on."""

from typing import Protocol

import numpy as np


class Encoder(Protocol):
    """Turns texts into unit-length vectors: the dot product of two vectors is their match score."""

    name: str
    version: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Short texts (queries, titles): one pass each, truncated at the model window."""
        ...

    def encode_documents(self, docs: list[tuple[str, str]]) -> np.ndarray:
        """(head, body) pairs; a body longer than the window is chunked and the chunks pooled."""
        ...
