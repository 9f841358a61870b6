"""Ablations of the training recipe under one equal CPU-time budget (or step count) per run.

    .venv/bin/python scripts/ablate.py --minutes 3 --eval-limit 2000
    .venv/bin/python scripts/ablate.py --steps 140 --eval-limit 3000 --served --only reference detached

Each row trains from the same base with one change against the reference recipe and evaluates on
the same fixed subset of JobBERT validation titles (occupations ranked by preferred label; with
--served also as the service ranks them: best label + 0.5 x description, all occupations).
"""

import argparse
import logging
from dataclasses import replace

import numpy as np

from app.encoder.sentence import bundled_model_path
from app.matching.ranking import RankingProfile
from app.training.calibration import OccupationVectors, Rankings
from app.training.data import load_occupations, shared_data
from app.training.evaluate import evaluate_model, gold_ranks, rank_report, validation_pairs
from app.training.train import TrainConfig, train

VARIANTS = {
    "reference: softmax loss, B=128, groups head": {},
    "batch-wide margin loss (article)": {"loss": "batch_all"},
    "triplet baseline": {"loss": "triplet"},
    "batch size 32": {"batch_size": 32},
    "batch size 512": {"batch_size": 512},
    "same-ISCO-group masking on": {"mask_groups": True},
    "plain linear head": {"head": "linear"},
    "softmax-group head trained on the detached pooled vector": {"detach_head": True},
    "serve the softmax-group vector": {"serve": "head"},
    "no title noise": {"aug_prob": 0.0},
}


def main() -> None:
    logging.basicConfig(level=logging.WARNING, force=True)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=3.0, help="training budget per run")
    ap.add_argument("--steps", type=int, default=None, help="train this many steps instead (time is then not capped)")
    ap.add_argument("--eval-limit", type=int, default=2000)
    ap.add_argument("--served", action="store_true", help="also rank as served: best label + 0.5 x description")
    ap.add_argument("--only", nargs="*", help="run only variants whose name contains one of these words")
    args = ap.parse_args()
    occs = load_occupations(shared_data("esco", "occupations_en.csv"))
    pairs = validation_pairs(occs, shared_data("jobbert_validation", "titles.csv"), args.eval_limit)
    if args.steps:
        base, budget = TrainConfig(steps=args.steps, max_minutes=10_000), f"{args.steps} steps"
    else:
        base, budget = TrainConfig(steps=100_000, max_minutes=args.minutes), f"{args.minutes:g} min"
    served_cols = " | served MRR | served R@10" if args.served else ""
    print(
        f"| variant ({budget}) | steps | seconds | MRR | R@1 | R@10{served_cols} |\n|---|---|---|---|---|---|"
        + ("---|---|" if args.served else "")
    )
    for name, change in VARIANTS.items():
        if args.only and not any(w in name for w in args.only):
            continue
        cfg = replace(base, **change)
        model, run = train(occs, bundled_model_path(), cfg)
        rep = evaluate_model(model, occs, pairs, cfg.serve)
        row = f"| {name} | {run['steps_done']} | {run['seconds']:.0f} | {rep.mrr:.4f} | {rep.r1:.4f} | {rep.r10:.4f} |"
        if args.served:
            s = served_report(model, occs, pairs, cfg.serve)
            row += f" {s.mrr:.4f} | {s.r10:.4f} |"
        print(row, flush=True)


def served_report(model, occs, pairs, serve: str, weight: float = 0.5):
    """All occupations ranked by best label + weight x description (the served mix, without the top-50 cut)."""
    encode = lambda texts: model.encode(texts, serve)  # noqa: E731
    q = encode([t for t, _ in pairs])
    scores = Rankings.of(q, OccupationVectors.encode(encode, occs)).full(RankingProfile(weight))
    return rank_report(gold_ranks(scores, np.array([g for _, g in pairs])))


if __name__ == "__main__":
    main()
