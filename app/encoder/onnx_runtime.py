"""The ONNX Runtime backend: the exported model (jobmatch-export-onnx) with the tokenizers library.

No torch at run time. fp32: texts are sorted by length so that a batch carries little padding, and
the next batch is tokenised on a helper thread while ONNX Runtime runs the current one (both
release the GIL), on `threads` intra-op threads. int8: one text per run, `threads` runs at once.
One encode call runs at a time, so concurrent requests queue instead of oversubscribing the cores."""

import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from app.encoder.documents import DocumentEncoder, check_pooling
from app.encoder.head import Head
from app.encoder.priority import EncoderGate
from app.encoder.sentence import ARTIFACT_CONFIG

log = logging.getLogger(__name__)

EXPORT_META = "export.json"  # written last by the export: its presence means a complete, checked export
MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
HEAD_FILE = "head.npz"


def read_export(export_dir: Path) -> dict | None:
    meta = Path(export_dir) / EXPORT_META
    return json.loads(meta.read_text()) if meta.exists() else None


class OnnxEncoder(DocumentEncoder):
    backend = "onnx"

    def __init__(
        self,
        export_dir: Path,
        batch_size: int = 32,
        words_per_chunk: int = 150,
        max_chunks: int = 8,
        pooling: str = "mean",
        threads: int | None = None,
        model_file: str | None = None,
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        check_pooling(pooling)
        export_dir = Path(export_dir)
        meta = read_export(export_dir)
        if meta is None:
            raise FileNotFoundError(f"no ONNX export in {export_dir} (run jobmatch-export-onnx)")
        self.path = export_dir
        self.meta = meta
        self.model_dir = export_dir.parent if (export_dir.parent / ARTIFACT_CONFIG).exists() else None
        self.name, self.version, self.serve = meta["name"], meta["version"], meta.get("serve", "pooled")
        self.base_dim = int(meta["dim"])
        self.head = None
        if meta.get("head"):
            with np.load(export_dir / HEAD_FILE) as state:
                self.head = Head.from_state(meta["head"], dict(state))
        self.batch_size, self.words_per_chunk, self.max_chunks, self.pooling = (
            batch_size,
            words_per_chunk,
            max_chunks,
            pooling,
        )
        self.threads = threads or os.cpu_count() or 1

        self.model_file = model_file or meta.get("model_file", MODEL_FILE)
        # dynamic int8 quantises activations with one scale per run: batch mates (and their padding)
        # would shift a text's vector (cosine ~0.99). So int8 runs one text per call, and `threads`
        # such calls at once, each on one thread (measured: 66.6 CVs/s vs 47.7 for one call on 2 threads)
        self.per_text = self.model_file == INT8_FILE  # batch_size applies to the batched (fp32) path only
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1 if self.per_text else self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(export_dir / self.model_file), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(export_dir / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        self.tokenizer.enable_padding(pad_id=int(meta.get("pad_id", 0)), pad_token=meta.get("pad_token", "[PAD]"))
        self._lock = threading.Lock()
        self.gate = EncoderGate()
        self._tokenize_pool = ThreadPoolExecutor(1, thread_name_prefix="tokenize")
        self._run_pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx") if self.per_text else None
        log.info(
            "encoder %s@%s (onnx %s, %d threads) loaded from %s (dim %d)",
            self.name,
            self.version,
            self.model_file,
            self.threads,
            export_dir,
            self.dim,
        )

    @property
    def max_seq_length(self) -> int:
        return int(self.meta["max_seq_length"])

    def _features(self, texts: list[str]) -> dict[str, np.ndarray]:
        enc = self.tokenizer.encode_batch(texts)
        feats = {
            "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
        }
        return {k: v for k, v in feats.items() if k in self.inputs}

    def encode_pooled(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.base_dim), dtype=np.float32)
        if not texts:
            return out
        if self.per_text:
            with self._lock:
                for i, vec in enumerate(
                    self._run_pool.map(lambda t: self.session.run(None, self._features([t]))[0][0], texts)  # type: ignore[union-attr]
                ):
                    out[i] = vec
            return out
        order = np.argsort([len(t) for t in texts], kind="stable")
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        tokenize = lambda idx: self._features([texts[i] for i in idx])  # noqa: E731
        with self._lock:
            pending = self._tokenize_pool.submit(tokenize, batches[0])
            for j, idx in enumerate(batches):
                feeds = pending.result()
                if j + 1 < len(batches):
                    pending = self._tokenize_pool.submit(tokenize, batches[j + 1])
                out[idx] = self.session.run(None, feeds)[0]
        return out
