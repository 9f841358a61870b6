"""BM25 term-frequency vectors for hybrid search, from Qdrant's own tokenizer (English stemmer and stop
words, in the embedded engine's Rust code). The store applies IDF (Qdrant's IDF modifier), so a
record's vector never changes when others are added."""

from functools import lru_cache

import qdrant_edge as qe

from app.store.base import Sparse


class Bm25Encoder:
    """Documents get saturated term frequencies (k1, b, average length); queries get one weight per term."""

    def __init__(self, avg_len: float = 256.0):
        from app.matching.criteria import generic_terms

        self._model = qe.Bm25(qe.Bm25Config(avg_len=avg_len))
        # skill names, titles and roles repeat across records: their terms are worth remembering
        self._short_terms = lru_cache(maxsize=200_000)(self._terms)
        self.generic = generic_terms(self.terms)
        self._skill_terms = lru_cache(maxsize=200_000)(self._requirement_terms)

    def document(self, text: str) -> Sparse:
        v = self._model.embed_document(text)
        return Sparse(tuple(v.indices), tuple(v.values))

    def query(self, text: str) -> Sparse:
        v = self._model.embed_query(text)
        return Sparse(tuple(v.indices), tuple(v.values))

    def terms(self, text: str) -> frozenset[int]:
        """The stemmed, stop-word-free terms of a text (as term ids): for word-overlap criteria."""
        return self._short_terms(text) if len(text) <= 300 else self._terms(text)

    def skill_terms(self, name: str) -> frozenset[int]:
        """The terms of a skill's name that say what it is: "strong knowledge of X" is X (`generic_terms`),
        unless those words are all it has."""
        return self._skill_terms(name) if len(name) <= 300 else self._requirement_terms(name)

    def _requirement_terms(self, name: str) -> frozenset[int]:
        terms = self.terms(name)
        return (terms - self.generic) or terms

    def _terms(self, text: str) -> frozenset[int]:
        return frozenset(self._model.embed_query(text).indices)
