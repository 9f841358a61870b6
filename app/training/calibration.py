"""Fitting and judging confidence on occupation normalisation (top-1 predictions), exactly as served.

The validation titles are split once, by a fixed seed, into a fitting half (the ranking weights
and the calibrators are chosen here) and an evaluation half (every reported figure comes from here).
The served ranking is rebuilt in matrices: the best `depth` occupations by best label, re-ranked by
the mix of label, description and lexical scores (`app.matching.ranking`), then the same feature
functions as the service (`app.matching.confidence`).
"""

from dataclasses import dataclass

import numpy as np

from app.matching.calibration import Calibration, Calibrator
from app.matching.confidence import FEATURES, OCCUPATION_FEATURES, coverage, label_radius, words
from app.matching.lexical import Lexicon
from app.matching.occupations import description_text
from app.matching.ranking import RankingProfile, mix
from app.training.evaluate import gold_ranks, label_table, lexical_target_scores, rank_report, target_scores
from app.training.metrics import accuracy_at_coverage, brier_score, expected_calibration_error

DESCRIPTION_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0)
LEXICAL_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5)


def split_halves(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2 :])


@dataclass
class OccupationVectors:
    """Every ESCO occupation as the service stores it: label vectors (grouped by owner) and a description vector."""

    labels: list[str]
    label_vecs: np.ndarray
    owner: np.ndarray  # (n_labels,) occupation index, sorted
    desc_vecs: np.ndarray
    occupation_labels: list[list[str]]

    @classmethod
    def encode(cls, encode, occupations) -> "OccupationVectors":
        """`encode`: texts -> unit vectors (an encoder's `encode`)."""
        labels, owner = label_table(occupations)
        desc = encode([description_text({"label": o.label, "description": o.description}) for o in occupations])
        return cls(labels, encode(labels), owner, desc, [o.labels for o in occupations])

    @property
    def starts(self) -> np.ndarray:
        return np.flatnonzero(np.r_[True, np.diff(self.owner) != 0])

    @property
    def ends(self) -> np.ndarray:
        return np.r_[self.starts[1:], len(self.owner)]

    def radius(self) -> np.ndarray:
        return np.array([label_radius(self.label_vecs[a:b]) for a, b in zip(self.starts, self.ends)])


@dataclass
class Rankings:
    """Per query: label, description and lexical scores of every occupation, and the served ranking."""

    label: np.ndarray  # (N, n_occ) best-label cosine
    description: np.ndarray  # (N, n_occ)
    lexical: np.ndarray | None = None  # (N, n_occ) best lexical cosine over labels (None: not computed)

    @classmethod
    def of(
        cls, queries: np.ndarray, occ: OccupationVectors, texts: list[str] | None = None, lexicon: Lexicon | None = None
    ) -> "Rankings":
        lexical = (
            lexical_target_scores(lexicon, texts, occ.labels, occ.owner, len(occ.desc_vecs))
            if lexicon is not None and texts is not None
            else None
        )
        return cls(
            target_scores(queries, occ.label_vecs, occ.owner, len(occ.desc_vecs)), queries @ occ.desc_vecs.T, lexical
        )

    def subset(self, idx: np.ndarray) -> "Rankings":
        return Rankings(self.label[idx], self.description[idx], None if self.lexical is None else self.lexical[idx])

    def lexical_scores(self) -> np.ndarray:
        """The lexical scores, zeros where they were not computed."""
        return np.zeros_like(self.label) if self.lexical is None else self.lexical

    def full(self, weights: RankingProfile) -> np.ndarray:
        """Scores of every occupation (no candidate cut-off): for rank metrics."""
        return mix(self.label, self.description, self.lexical_scores(), weights)

    def candidates(self, depth: int) -> np.ndarray:
        """(N, depth) indices of each query's best `depth` occupations by label (what gets re-ranked)."""
        return np.argpartition(-self.label, depth - 1, axis=1)[:, :depth]

    def served(self, weights: RankingProfile, depth: int, cand: np.ndarray | None = None) -> np.ndarray:
        """(N, n_occ) scores as served: occupations outside the best `depth` by label get -inf."""
        cand = self.candidates(depth) if cand is None else cand
        out = np.full(self.label.shape, -np.inf, dtype=np.float32)
        take = lambda m: np.take_along_axis(m, cand, 1)  # noqa: E731
        np.put_along_axis(
            out, cand, mix(take(self.label), take(self.description), take(self.lexical_scores()), weights), 1
        )
        return out


def choose_weights(
    rankings: Rankings,
    gold: np.ndarray,
    depth: int,
    lexicon: Lexicon | None = None,
    description=DESCRIPTION_WEIGHTS,
    lexical=LEXICAL_WEIGHTS,
) -> RankingProfile:
    """The weights with the best MRR of the served ranking (call it on the fitting half); lexical
    weights are tried only with a lexicon (and `rankings.lexical`)."""
    cand = rankings.candidates(depth)
    grid = [RankingProfile(d, x, lexicon) for d in description for x in (lexical if lexicon is not None else (0.0,))]
    return max(grid, key=lambda w: rank_report(gold_ranks(rankings.served(w, depth, cand), gold)).mrr)


@dataclass
class Top1Table:
    X_match: np.ndarray  # (N, len(FEATURES)): what the job <-> candidate calibrator reads
    X_occupation: np.ndarray  # (N, len(OCCUPATION_FEATURES))
    correct: np.ndarray  # (N,) bool: the top-1 occupation is the gold one
    top: np.ndarray  # (N,) index of the top-1 occupation

    def subset(self, mask: np.ndarray) -> "Top1Table":
        return Top1Table(self.X_match[mask], self.X_occupation[mask], self.correct[mask], self.top[mask])

    @classmethod
    def concat(cls, *tables: "Top1Table") -> "Top1Table":
        """The rows of several tables, in the order given."""
        return cls(
            np.vstack([t.X_match for t in tables]),
            np.vstack([t.X_occupation for t in tables]),
            np.concatenate([t.correct for t in tables]),
            np.concatenate([t.top for t in tables]),
        )


def top1_table(
    scorer,
    texts: list[str],
    queries: np.ndarray,
    rankings: Rankings,
    occ: OccupationVectors,
    gold: np.ndarray,
    weights: RankingProfile,
    depth: int,
) -> Top1Table:
    """Features of each query's served top-1 occupation, computed by the service's own functions."""
    served = rankings.served(weights, depth)
    lexical = rankings.lexical_scores()
    radius, starts, ends = occ.radius(), occ.starts, occ.ends
    xm, xo, correct, tops = [], [], [], []
    for i in range(len(queries)):
        order = np.argsort(-served[i])[:depth]
        top = order[0]
        a, b = starts[top], ends[top]
        best = a + int(np.argmax(occ.label_vecs[a:b] @ queries[i]))
        target = occ.label_vecs[best][None]
        s, lab, desc = served[i, order], rankings.label[i, order], rankings.description[i, order]
        lex = lexical[i, order]
        tw = words(texts[i])
        label_cov = np.array([coverage(tw, occ.labels[best])])
        any_cov = np.array([max(coverage(tw, t) for t in occ.occupation_labels[top])])
        xo.append(
            scorer.occupation_features(queries[i], target, s, lab, desc, lex, label_cov, any_cov, radius[[top]])[0]
        )
        xm.append(scorer.features(queries[i], target, s[:1], float(s[1]))[0][0])
        correct.append(top == gold[i])
        tops.append(top)
    return Top1Table(np.array(xm), np.array(xo), np.array(correct), np.array(tops, dtype=np.int64))


def fit_calibration(
    table: Top1Table, model_version: str, weights: RankingProfile, occupation_weight: np.ndarray | None = None
) -> Calibration:
    """`occupation_weight`: per-row weights of the occupation calibrator (clean and noisy sets alike)."""
    return Calibration(
        model_version,
        Calibrator.fit(table.X_match, table.correct, FEATURES, model_version),
        Calibrator.fit(
            table.X_occupation, table.correct, OCCUPATION_FEATURES, model_version, sample_weight=occupation_weight
        ),
        weights,
    )


def confidence_report(conf: np.ndarray, correct: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    return {
        "ECE": expected_calibration_error(conf, correct, 15),
        "Brier": brier_score(conf, correct),
        "AUROC": float(roc_auc_score(correct, conf)),
        "acc@50%": accuracy_at_coverage(conf, correct, 0.5),
        "acc@80%": accuracy_at_coverage(conf, correct, 0.8),
        "accuracy": float(np.mean(correct)),
    }


def baseline_calibrators(fit: Top1Table) -> dict[str, Calibrator]:
    """Platt scaling of a single signal: the raw top-1 score, and the top-1 minus top-2 margin."""
    out = {}
    for name, feat in (("raw top-1 score", "score"), ("top-1 - top-2 margin", "margin_next")):
        col = FEATURES.index(feat)
        out[name] = Calibrator.fit(fit.X_match[:, [col]], fit.correct, features=(feat,))
    return out


def held_out_labels(occupations, n: int, seed: int = 0):
    """Clean queries from the ontology itself: one alternative label from each of `n` random occupations
    (with two or more), removed from the ontology so that it cannot match itself. Returns (the ontology
    without those labels, the labels, their occupation index, whether each query is in the fitting
    half: occupations split in halves, so no occupation is fitted and judged on)."""
    from dataclasses import replace

    rng = np.random.default_rng(seed)

    def alternatives(o) -> list[str]:
        return [a for a in o.labels[1:] if a.lower() != o.label.strip().lower()]

    eligible = [i for i, o in enumerate(occupations) if alternatives(o)]
    chosen = sorted(rng.choice(eligible, size=min(n, len(eligible)), replace=False).tolist())
    texts, gold, reduced = [], [], list(occupations)
    for i in chosen:
        o = occupations[i]
        options = alternatives(o)
        label = options[int(rng.integers(len(options)))]
        key = label.lower()
        reduced[i] = replace(
            o,
            alt_labels=[a for a in o.alt_labels if a.strip().lower() != key],
            hidden_labels=[h for h in o.hidden_labels if h.strip().lower() != key],
        )
        texts.append(label)
        gold.append(i)
    fitting = np.zeros(len(chosen), dtype=bool)
    fitting[rng.permutation(len(chosen))[: len(chosen) // 2]] = True
    return reduced, texts, np.array(gold), fitting
