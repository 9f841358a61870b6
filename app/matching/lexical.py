"""Lexical similarity for hybrid occupation ranking: character n-gram TF-IDF, pure functions.

Vacancy titles are noisy ("Sales Executive (m/f/d)", "Jr. Java Dev"): character n-grams inside word
boundaries (2 to 4 characters, as scikit-learn's `char_wb`) match abbreviations, inflections and
compounds that a sentence encoder blurs. The dense score finds the meaning, this one the wording; the
occupation ranking mixes both (hybrid search).

A `Lexicon` holds document frequencies fitted on an ontology's labels (by `scripts/calibrate.py`,
stored in calibration.json with the weights it was chosen with). An n-gram it has never seen gets the
highest IDF, so labels added later (your own occupations) still count. Vectors use sublinear TF
(1 + log tf) x smooth IDF (log((1 + n) / (1 + df)) + 1), L2-normalised, so a similarity is a cosine
in [0, 1].
"""

import math
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

NGRAMS = (2, 4)


def char_ngrams(text: str, lo: int = NGRAMS[0], hi: int = NGRAMS[1]) -> Counter:
    """Character n-grams of each word padded with one space (scikit-learn's char_wb analyzer,
    lower-cased): a word shorter than n gives itself once."""
    out: Counter = Counter()
    for w in text.lower().split():
        w = f" {w} "
        n_w = len(w)
        for n in range(lo, hi + 1):
            if n_w <= n:
                out[w] += 1
                break
            for i in range(n_w - n + 1):
                out[w[i : i + n]] += 1
    return out


UNSEEN_BUCKETS = 1 << 16  # n-grams outside the fitted lexicon share this many hashed columns


@dataclass
class Lexicon:
    """Document frequencies of n-grams over a set of labels; turns texts into unit TF-IDF vectors."""

    n_docs: int
    df: dict[str, int]
    _columns: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _cache: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        self._columns = {g: i for i, g in enumerate(self.df)}
        self._cache = lru_cache(maxsize=100_000)(self._label_arrays)

    @classmethod
    def fit(cls, labels: list[str]) -> "Lexicon":
        df: Counter = Counter()
        for lab in labels:
            df.update(char_ngrams(lab).keys())
        return cls(len(labels), dict(df))

    def idf(self, gram: str) -> float:
        return math.log((1 + self.n_docs) / (1 + self.df.get(gram, 0))) + 1.0

    def vector(self, text: str) -> dict[str, float]:
        """The unit TF-IDF vector of a text ({} for an empty or blank one)."""
        w = {g: (1.0 + math.log(tf)) * self.idf(g) for g, tf in char_ngrams(text).items()}
        norm = math.sqrt(sum(v * v for v in w.values()))
        return {g: v / norm for g, v in w.items()} if norm else {}

    def column(self, gram: str) -> int:
        """A fixed column per n-gram: the fitted ones in order, the others hashed (no shared state
        grows while serving)."""
        col = self._columns.get(gram)
        return col if col is not None else len(self._columns) + zlib.crc32(gram.encode()) % UNSEEN_BUCKETS

    def _label_arrays(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        v = self.vector(label) or {"": 0.0}  # never empty: sums by label need one entry each
        return (
            np.fromiter((self.column(g) for g in v), dtype=np.int64, count=len(v)),
            np.fromiter(v.values(), dtype=np.float32, count=len(v)),
        )

    def best(self, text: str, label_groups: list[list[str]]) -> np.ndarray:
        """For each group of labels (an occupation's), the best cosine between `text` and one of them
        (0 for an empty group). Label vectors are cached: the same labels come back query after query."""
        out = np.zeros(len(label_groups), dtype=np.float32)
        q = self.vector(text)
        labels = [lab for g in label_groups for lab in g]
        if not q or not labels:
            return out
        dense = np.zeros(len(self._columns) + UNSEEN_BUCKETS, dtype=np.float32)
        for g, w in q.items():
            dense[self.column(g)] = w
        arrays = [self._cache(lab) for lab in labels]
        sizes = np.fromiter((len(a[0]) for a in arrays), dtype=np.int64, count=len(arrays))
        ids = np.concatenate([a[0] for a in arrays])
        per_label = np.add.reduceat(
            dense[ids] * np.concatenate([a[1] for a in arrays]), np.r_[0, np.cumsum(sizes)[:-1]]
        )
        counts = np.array([len(g) for g in label_groups])
        filled = counts > 0
        out[filled] = np.maximum.reduceat(per_label, np.r_[0, np.cumsum(counts[filled])[:-1]])
        return out

    def to_dict(self) -> dict:
        return {"ngrams": list(NGRAMS), "n_docs": self.n_docs, "df": self.df}

    @classmethod
    def from_dict(cls, d: dict) -> "Lexicon":
        if tuple(d.get("ngrams", NGRAMS)) != NGRAMS:
            raise ValueError(f"lexicon of {d['ngrams']}-grams, this code reads {list(NGRAMS)}")
        return cls(int(d["n_docs"]), {str(k): int(v) for k, v in d["df"].items()})
