"""Train the matching encoder on an occupation ontology and write the artifact the service loads.

    .venv/bin/python scripts/train.py                    # default recipe -> models/jobmatch-esco
    .venv/bin/python scripts/train.py --steps 200 --out /tmp/m --eval-limit 2000

Recipe: 1 data (ESCO labels, descriptions, ISCO groups) -> 2 model (MiniLM + LoRA + softmax-group
head) -> 3 loss -> 4 train (deterministic for a seed) -> 5 evaluate (JobBERT validation subset) -> 6 save.
"""

import argparse
import json
import logging
from dataclasses import fields
from pathlib import Path

from app.encoder.factory import DEFAULT_MODEL
from app.encoder.sentence import bundled_model_path
from app.training.card import model_card
from app.training.data import load_occupations, shared_data
from app.training.evaluate import evaluate_model, validation_pairs
from app.training.train import TrainConfig, train

SHARED = shared_data()


def parse_args() -> tuple[argparse.Namespace, TrainConfig]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--esco", type=Path, default=SHARED / "esco" / "occupations_en.csv")
    ap.add_argument("--titles", type=Path, default=SHARED / "jobbert_validation" / "titles.csv")
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--name", default="jobmatch-esco")
    ap.add_argument("--eval-limit", type=int, default=3000, help="validation titles for the card (0 = skip)")
    defaults = TrainConfig()
    for f in fields(TrainConfig):
        if f.name == "extra":
            continue
        kind = type(getattr(defaults, f.name))
        if kind is bool:
            ap.add_argument(
                f"--{f.name.replace('_', '-')}",
                type=lambda v: v.lower() in ("1", "true", "yes"),
                default=getattr(defaults, f.name),
            )
        else:
            ap.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=getattr(defaults, f.name))
    args = ap.parse_args()
    cfg = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig) if f.name != "extra"})
    return args, cfg


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    args, cfg = parse_args()
    occs = load_occupations(args.esco)  # 1 data
    model, run = train(occs, bundled_model_path(), cfg)  # 2-4 model, loss, train
    metrics = {}
    if args.eval_limit:  # 5 evaluate
        rep = evaluate_model(model, occs, validation_pairs(occs, args.titles, args.eval_limit), cfg.serve)
        print(f"validation ({args.eval_limit} titles): {rep.row()}")
        metrics = {
            "titles": rep.n,
            "MRR": f"{rep.mrr:.4f}",
            "Recall@1": f"{rep.r1:.4f}",
            "Recall@5": f"{rep.r5:.4f}",
            "Recall@10": f"{rep.r10:.4f}",
        }
    meta = {"name": args.name, "base": "all-MiniLM-L6-v2", "serve": cfg.serve, "train": run, "metrics": metrics}
    model.save(args.out, meta)  # 6 save
    data = {"occupations": len(occs), "labels": sum(len(o.labels) for o in occs)}
    (args.out / "README.md").write_text(
        model_card(args.name, run["config"] | {"lora_rank": cfg.lora_rank}, run, metrics, data)
    )
    print(
        json.dumps(
            {"out": str(args.out), **run["config"], "steps_done": run["steps_done"], "seconds": run["seconds"]},
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
