"""Default thresholds of exclusion rules, measured on near-miss occupations from ESCO.

    .venv/bin/python scripts/evaluate_rules.py

A near miss is two occupations of the same ISCO unit group (truck driver / bus driver): the hardest
case for a rule "if near A, exclude near B". For one random pair per group, the rule's anchors are
the two preferred labels; the records are titles: one alternative label of A (a fitting record: must
stay) and one of B (the named near miss: must go). The groups are split in halves (fixed seed); the
exclude threshold is chosen on the first (largest share of B removed minus share of A removed) and
reported on the second, with and without the rule's relative condition (a record goes only when it
is nearer B than A), and how often the if_near anchor fires for A's titles at each threshold.
"""

import argparse
import random
from collections import defaultdict

import numpy as np

from app.encoder.factory import build_encoder
from app.matching.rules import FiredRules, Rule
from app.settings import Settings
from app.training.data import load_occupations, shared_data

ESCO = shared_data() / "esco" / "occupations_en.csv"
GRID = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75)


def near_miss_pairs(seed: int):
    occs = [o for o in load_occupations(ESCO) if o.alt_labels]
    groups = defaultdict(list)
    for o in occs:
        groups[o.group].append(o)
    rng = random.Random(seed)
    pairs = [tuple(rng.sample(members, 2)) for _, members in sorted(groups.items()) if len(members) >= 2]
    rng.shuffle(pairs)
    return [(a, b, rng.choice(a.alt_labels), rng.choice(b.alt_labels)) for a, b in pairs]


def removed(rule: Rule, titles: np.ndarray, relative: bool) -> np.ndarray:
    """Which title vectors the service's rule code removes (the if_vector dropped for the plain variant)."""
    probe = Rule(
        rule.id,
        {},
        0.0,
        rule.exclude_vector,
        rule.if_threshold,
        rule.exclude_threshold,
        rule.if_vector if relative else None,
    )
    return np.array([FiredRules([probe]).excludes(v) is not None for v in titles])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    pairs = near_miss_pairs(args.seed)
    encoder = build_encoder(Settings())
    texts = [t for a, b, a_alt, b_alt in pairs for t in (a.label, b.label, a_alt, b_alt)]
    vecs = encoder.encode(texts).reshape(len(pairs), 4, -1)
    half = len(pairs) // 2
    print(
        f"{len(pairs)} near-miss pairs (ISCO unit groups with 2+ occupations); model {encoder.name}@{encoder.version}"
    )
    best = {}
    for name, part in (("choosing half", slice(0, half)), ("reporting half", slice(half, None))):
        v = vecs[part]
        print(f"\n{name} ({len(v)} pairs)")
        print(
            f"{'threshold':>10}{'relative: B gone':>18}{'A gone':>8}{'plain: B gone':>15}{'A gone':>8}{'if fires':>10}"
        )
        for t in GRID:
            row = []
            for relative in (True, False):
                b_gone = a_gone = 0
                for a_vec, b_vec, a_alt, b_alt in v:
                    rule = Rule("r", {}, 0.0, b_vec, t, t, a_vec)
                    gone = removed(rule, np.stack([a_alt, b_alt]), relative)
                    a_gone, b_gone = a_gone + gone[0], b_gone + gone[1]
                row += [b_gone / len(v), a_gone / len(v)]
            fires = float(np.mean(np.einsum("ij,ij->i", v[:, 0], v[:, 2]) >= t))
            if name == "choosing half":
                best[t] = row[0] - row[1]
            print(f"{t:>10.2f}{row[0]:>18.3f}{row[1]:>8.3f}{row[2]:>15.3f}{row[3]:>8.3f}{fires:>10.3f}")
        if name == "choosing half":
            chosen = max(best, key=best.get)
            print(f"chosen exclude threshold: {chosen} (B gone - A gone = {best[chosen]:.3f})")


if __name__ == "__main__":
    main()
