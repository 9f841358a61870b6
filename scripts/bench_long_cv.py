"""Long CVs: truncation vs chunking with mean- or max-pooling, measured on synthetic long CVs.

    .venv/bin/python scripts/bench_long_cv.py --n 300

Each CV is ~500 words: filler (other ESCO occupations' descriptions, generic lines) with the
candidate's real occupation (two of its labels and its description) placed at the start, middle or
end. Each job (an occupation's preferred label) ranks all CVs; MRR of its own CV is reported per
placement and pooling. Synthetic by construction: it measures whether text past the model's window
still counts, not matching quality in general.
"""

import argparse
import random

import numpy as np

from app.bench.synthetic import FILLER, occupations
from app.encoder.factory import build_encoder
from app.settings import Settings


def long_cv(rng, occ, others, where: str, words: int = 500) -> str:
    labels = occ.labels[1:3] or [occ.label]
    core = f"Current role: {' / '.join(labels)}. {occ.description}".split()
    filler = (FILLER + " ").split()
    while len(filler) < words - len(core):
        filler += f"Earlier: {rng.choice(others).description}".split()
    filler = filler[: words - len(core)]
    at = {"start": 0, "middle": len(filler) // 2, "end": len(filler)}[where]
    return " ".join(filler[:at] + core + filler[at:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(0)
    occs = occupations()
    chosen = rng.sample(occs, args.n)
    encoder = build_encoder(Settings())
    queries = encoder.encode([o.label for o in chosen])
    print(f"{args.n} jobs x {args.n} CVs of ~500 words, model {encoder.name}@{encoder.version}")
    print("| placement of the real occupation | truncate | chunks + mean | chunks + max |\n|---|---|---|---|")
    for where in ("start", "middle", "end"):
        cvs = [long_cv(rng, o, occs, where) for o in chosen]
        row = []
        for pooling in ("truncate", "mean", "max"):
            encoder.pooling = pooling
            docs = encoder.encode_documents([("", cv) for cv in cvs])
            scores = queries @ docs.T
            ranks = (scores >= scores.diagonal()[:, None]).sum(axis=1)
            row.append(float(np.mean(1.0 / ranks)))
        print(f"| {where} | " + " | ".join(f"{m:.3f}" for m in row) + " |")


if __name__ == "__main__":
    main()
