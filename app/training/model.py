"""The trainable encoder: MiniLM (+ LoRA adapters) with mean pooling, and the softmax-group head.

The head is a concatenation of G softmax groups of K elements (default 4 x 128): a sharp group
means the model is sure of that feature, a flat one that it is not. The confidence code reads the
group distributions; retrieval uses the pooled sentence vector or the head output (`serve`).
"""

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from app.encoder.sentence import ARTIFACT_CONFIG, HEAD_FILE


class SoftmaxGroupHead(nn.Module):
    """Linear map to G*K logits, softmax inside each group of K; the output is the L2-normalised concat."""

    def __init__(self, dim: int = 384, groups: int = 4, size: int = 128, temperature: float = 1.0):
        super().__init__()
        if groups < 1 or size < 2:
            raise ValueError(f"need groups >= 1 and size >= 2, got {groups} x {size}")
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.groups, self.size, self.temperature = groups, size, temperature
        self.proj = nn.Linear(dim, groups * size)

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """(B, G, K) group distributions."""
        logits = self.proj(x).view(x.shape[0], self.groups, self.size)
        return torch.softmax(logits / self.temperature, dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.probs(x).flatten(1), dim=1)

    def config(self) -> dict:
        return {"type": "softmax_groups", "groups": self.groups, "size": self.size, "temperature": self.temperature}


class LinearHead(nn.Module):
    """Ablation baseline: a plain linear projection, L2-normalised."""

    def __init__(self, dim: int = 384, out: int = 512):
        super().__init__()
        self.proj = nn.Linear(dim, out)
        self.out = out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.proj(x), dim=1)

    def config(self) -> dict:
        return {"type": "linear", "out": self.out}


class TrainableEncoder(nn.Module):
    """Transformer + mean pooling + L2 norm, optionally with LoRA adapters and a head."""

    def __init__(self, base_path: str | Path, lora_rank: int = 16, head: nn.Module | None = None, max_length: int = 64):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(base_path))
        model = AutoModel.from_pretrained(str(base_path))
        self.lora_rank = lora_rank
        if lora_rank:
            from peft import LoraConfig, get_peft_model

            model = get_peft_model(
                model,
                LoraConfig(
                    r=lora_rank,
                    lora_alpha=2 * lora_rank,
                    lora_dropout=0.0,
                    target_modules=["query", "key", "value", "dense"],
                ),
            )
        self.transformer = model
        self.head = head
        self.max_length = max_length

    def embed(self, texts: list[str], token_budget: int = 4096) -> torch.Tensor:
        """Unit vectors; texts are sorted by length and padded per chunk of at most `token_budget`
        padded tokens, so a few long descriptions do not pad a batch of short titles to their length."""
        ids = self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        chunks: list[list[int]] = []
        current: list[int] = []
        for i in order:  # ascending length: the newest text is the longest of its chunk
            if current and (len(current) + 1) * len(ids[i]) > token_budget:
                chunks.append(current)
                current = []
            current.append(i)
        chunks.append(current)
        parts = []
        for sel in chunks:
            batch = self.tokenizer.pad({"input_ids": [ids[i] for i in sel]}, return_tensors="pt")
            hidden = self.transformer(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            parts.append((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9))
        pooled = torch.cat(parts)[torch.argsort(torch.tensor(order))]
        return F.normalize(pooled, dim=1)

    @torch.no_grad()
    def encode(self, texts: list[str], serve: str = "pooled", batch: int = 256):
        """Numpy vectors for evaluation: pooled, or the head output with serve='head'."""
        was_training = self.training
        self.eval()
        out = []
        for i in range(0, len(texts), batch):
            v = self.embed(texts[i : i + batch])
            out.append(self.head(v) if serve == "head" else v)  # type: ignore[misc]  # serve='head' needs a head
        self.train(was_training)
        return torch.cat(out).numpy()

    def save(self, out_dir: Path, meta: dict) -> None:
        """Adapter weights (peft), the head, and `jobmatch.json` describing how to rebuild the encoder."""
        out_dir.mkdir(parents=True, exist_ok=True)
        if self.lora_rank:
            self.transformer.save_pretrained(str(out_dir))
        if self.head is not None:
            torch.save(self.head.state_dict(), out_dir / HEAD_FILE)
        cfg = {**meta, "lora_rank": self.lora_rank, "head": self.head.config() if self.head is not None else None}
        (out_dir / ARTIFACT_CONFIG).write_text(json.dumps(cfg, indent=2, sort_keys=True))
