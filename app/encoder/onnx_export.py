"""Export the served model (base MiniLM, merged LoRA adapters, mean pooling, L2 norm) to ONNX.

The export is checked against the torch backend before it counts: `export.json`, the file the
service looks for, is written only when every check text gives cosine >= `min_cosine`."""

import json
import shutil
import time
from pathlib import Path

import numpy as np

from app.encoder.onnx_runtime import EXPORT_META, HEAD_FILE, INT8_FILE, MODEL_FILE, TOKENIZER_FILE, OnnxEncoder
from app.encoder.sentence import SentenceTransformerEncoder, bundled_model_path


class ExportCheckFailed(RuntimeError):
    pass


def export_onnx(
    model_path: Path | None, out_dir: Path, check_texts: list[str], min_cosine: float = 0.9999, opset: int = 17
) -> dict:
    import onnxruntime
    import torch
    import torch.nn.functional as F

    t0 = time.perf_counter()
    enc = SentenceTransformerEncoder(model_path)
    transformer = enc.model[0]
    bert = transformer.auto_model.eval()
    if hasattr(bert, "set_attn_implementation"):
        bert.set_attn_implementation("eager")  # plain matmul attention traces into portable ONNX ops

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, dim=1)

    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    tok = transformer.tokenizer(
        ["an example job title", "a longer example text to trace"], padding=True, return_tensors="pt"
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dynamic = {n: {0: "batch", 1: "tokens"} for n in names} | {"embedding": {0: "batch"}}
    with torch.no_grad():
        torch.onnx.export(
            Pooled().eval(),
            tuple(tok[n] for n in names),
            str(out_dir / MODEL_FILE),
            dynamo=False,
            input_names=names,
            output_names=["embedding"],
            dynamic_axes=dynamic,
            opset_version=opset,
        )
    shutil.copy(bundled_model_path() / TOKENIZER_FILE, out_dir / TOKENIZER_FILE)
    if enc.head is not None:
        np.savez(out_dir / HEAD_FILE, **{"proj.weight": enc.head.weight, "proj.bias": enc.head.bias})

    meta = {
        "name": enc.name,
        "version": enc.version,
        "dim": enc.base_dim,
        "serve": enc.serve,
        "max_seq_length": enc.max_seq_length,
        "head": enc.head.config if enc.head else None,
        "pad_id": int(transformer.tokenizer.pad_token_id),
        "pad_token": transformer.tokenizer.pad_token,
        "model_file": MODEL_FILE,
        "opset": opset,
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
    }
    (out_dir / EXPORT_META).write_text(json.dumps(meta))  # provisional, so the runtime can load it for the check
    try:
        check = compare(enc, OnnxEncoder(out_dir), check_texts)
        if check["min_cosine"] < min_cosine:
            raise ExportCheckFailed(
                f"ONNX vectors differ from torch: min cosine {check['min_cosine']:.6f} "
                f"< {min_cosine} over {check['texts']} texts"
            )
    except BaseException:
        (out_dir / EXPORT_META).unlink()
        raise
    meta["check"] = check
    meta["seconds"] = round(time.perf_counter() - t0, 1)
    (out_dir / EXPORT_META).write_text(json.dumps(meta, indent=2))
    return meta


def quantize_int8(out_dir: Path) -> str:
    """Dynamic int8 quantisation of the exported weights (activations quantised at run time)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(Path(out_dir) / MODEL_FILE),
        str(Path(out_dir) / INT8_FILE),
        weight_type=QuantType.QInt8,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return INT8_FILE


def serve_file(out_dir: Path, model_file: str, decision: dict) -> dict:
    """Point export.json at the file the service should load, and record why."""
    meta = json.loads((Path(out_dir) / EXPORT_META).read_text())
    meta["model_file"] = model_file
    meta["int8"] = decision
    (Path(out_dir) / EXPORT_META).write_text(json.dumps(meta, indent=2))
    return meta


def compare(torch_enc, onnx_enc, texts: list[str]) -> dict:
    """Cosine between the two backends' pooled vectors, text by text."""
    a, b = torch_enc.encode_pooled(texts), onnx_enc.encode_pooled(texts)
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"texts": len(texts), "min_cosine": float(cos.min()), "mean_cosine": float(cos.mean())}
