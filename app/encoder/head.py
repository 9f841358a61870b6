"""The trained head in numpy: softmax-group distributions (confidence) and the optional served head vector.

Both encoder backends use it, so the ONNX backend needs no torch at run time."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Head:
    config: dict
    weight: np.ndarray  # (out, dim)
    bias: np.ndarray  # (out,)

    @classmethod
    def from_state(cls, config: dict, state: dict) -> "Head":
        arr = lambda k: np.asarray(state[k], dtype=np.float32)  # noqa: E731
        return cls(config, arr("proj.weight"), arr("proj.bias"))

    @property
    def is_groups(self) -> bool:
        return self.config["type"] == "softmax_groups"

    @property
    def dim(self) -> int:
        return int(self.weight.shape[0])

    def probs(self, pooled: np.ndarray) -> np.ndarray | None:
        """(N, G, K) group distributions, or None for a head without groups."""
        if not self.is_groups:
            return None
        g, k, t = self.config["groups"], self.config["size"], float(self.config.get("temperature", 1.0))
        logits = (pooled @ self.weight.T + self.bias).reshape(len(pooled), g, k) / t
        logits -= logits.max(axis=-1, keepdims=True)
        e = np.exp(logits)
        return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)

    def __call__(self, pooled: np.ndarray) -> np.ndarray:
        """The head's unit-length output vector."""
        out = self.probs(pooled).reshape(len(pooled), -1) if self.is_groups else pooled @ self.weight.T + self.bias  # type: ignore[union-attr]
        return unit(out)


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)
