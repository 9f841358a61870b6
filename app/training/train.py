"""The training loop: ontology batches -> encoder (+ head) -> batch-wide loss, on the CPU.

Deterministic for a seed and a step count (`steps`); `max_minutes` is a safety stop only.
"""

import logging
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from app.training.data import OntologyOccupation
from app.training.losses import LOSSES
from app.training.model import LinearHead, SoftmaxGroupHead, TrainableEncoder
from app.training.pairs import PairSampler

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    steps: int = 1500
    batch_size: int = 128
    loss: str = "softmax"  # batch_all | softmax | triplet
    margin: float = 0.2
    temperature: float = 0.05
    mask_groups: bool = False  # also mask same-ISCO-group pairs as non-negatives
    lr: float = 5e-4
    warmup_steps: int = 50
    lora_rank: int = 16
    head: str = "softmax_groups"  # softmax_groups | linear | none
    groups: int = 4
    group_size: int = 128
    head_temperature: float = 0.1
    detach_head: bool = False  # the head learns from the pooled vector without reshaping it
    serve: str = "pooled"  # which vector the service stores and compares: pooled | head
    aug_prob: float = 0.5
    desc_prob: float = 0.1
    target: str = "pref"
    seed: int = 0
    threads: int = 2
    max_minutes: float = 30.0
    extra: dict = field(default_factory=dict)


def make_loss(cfg: TrainConfig):
    if cfg.loss == "softmax":
        return LOSSES["softmax"](cfg.temperature)
    if cfg.loss in ("batch_all", "triplet"):
        return LOSSES[cfg.loss](cfg.margin)
    raise ValueError(f"unknown loss {cfg.loss!r}; choose one of {sorted(LOSSES)}")


def make_head(cfg: TrainConfig, dim: int):
    if cfg.head == "softmax_groups":
        return SoftmaxGroupHead(dim, cfg.groups, cfg.group_size, cfg.head_temperature)
    if cfg.head == "linear":
        return LinearHead(dim, cfg.groups * cfg.group_size)
    if cfg.head == "none":
        return None
    raise ValueError(f"unknown head {cfg.head!r}")


def seed_everything(seed: int, threads: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)


def train(occupations: list[OntologyOccupation], base_path: Path, cfg: TrainConfig) -> tuple[TrainableEncoder, dict]:
    """Train and return the model and a log of the run (steps done, seconds, last losses)."""
    if cfg.serve == "head" and cfg.head == "none":
        raise ValueError("serve='head' needs a head")
    seed_everything(cfg.seed, cfg.threads)
    model = TrainableEncoder(base_path, cfg.lora_rank)
    model.head = make_head(cfg, model.transformer.config.hidden_size)
    model.train()
    sampler = PairSampler(occupations, cfg.batch_size, cfg.aug_prob, cfg.desc_prob, cfg.target, cfg.seed)
    loss_fn = make_loss(cfg)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(cfg.warmup_steps, 1)) * max(0.0, 1 - s / cfg.steps)
    )
    started, losses = time.perf_counter(), []
    step = 0
    for step in range(1, cfg.steps + 1):
        b = sampler.next()
        groups = b.groups if cfg.mask_groups else None
        a, t = model.embed(b.anchors), model.embed(b.targets)
        loss = torch.zeros(())
        if cfg.serve == "pooled" or model.head is None:
            loss = loss + loss_fn(a, t, b.labels, groups, b.linked)
        if model.head is not None:
            ha, ht = (a.detach(), t.detach()) if cfg.detach_head else (a, t)
            loss = loss + loss_fn(model.head(ha), model.head(ht), b.labels, groups, b.linked)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step % 50 == 0:
            log.info(
                "step %d/%d  loss %.4f  %.0fs", step, cfg.steps, np.mean(losses[-50:]), time.perf_counter() - started
            )
        if time.perf_counter() - started > cfg.max_minutes * 60:
            log.warning("stopped at step %d: max_minutes %.1f reached", step, cfg.max_minutes)
            break
    model.eval()
    return model, {
        "steps_done": step,
        "seconds": round(time.perf_counter() - started, 1),
        "final_loss": float(np.mean(losses[-50:])),
        "config": asdict(cfg),
    }
