"""Matching: turn a stored record or a free text into a vector, search the other side, attach confidence."""

from dataclasses import dataclass, field

import numpy as np

from app.domain import DEFAULT_TENANT, AppliedRule, CriterionScore, Explanation, Filters, Kind, Match, Record
from app.encoder.base import Encoder
from app.encoder.texts import candidate_text, job_text
from app.matching import confidence
from app.matching.criteria import CRITERIA, Criterion, score_pair
from app.matching.explain import shared_terms
from app.matching.filters import match_filter
from app.matching.match_model import POOL, MatchModel, Ranker, normalise_weights
from app.matching.payload import unpack_vector
from app.matching.pool_terms import PoolTerms
from app.matching.records import RECORD_FIELDS, Records, extract, to_record
from app.matching.rules import FiredRules, RuleBook
from app.matching.scorer import MatchScorer
from app.matching.sides import side_of
from app.store.base import Hit, Sparse, VectorStore

_TEXT = {Kind.JOB: job_text, Kind.CANDIDATE: candidate_text}


@dataclass
class MatchPage:
    matches: list[Match]
    model: str
    no_good_match: bool
    query_confidence: float | None = None
    explanations: list[Explanation] = field(default_factory=list)
    rules_applied: list[AppliedRule] = field(default_factory=list)
    total: int | None = None  # records that pass the filters, when counted


@dataclass
class Query:
    vector: np.ndarray
    text: str
    skills: list[str]
    kind: Kind  # what the query is: a job looks for candidates, a candidate for jobs
    record: Record
    sparse: Sparse
    title_vector: np.ndarray | None = None  # what exclusion rules' if_near anchors are compared with

    @property
    def rule_vector(self) -> np.ndarray:
        return self.vector if self.title_vector is None else self.title_vector


@dataclass
class Scored:
    """One pool member with its criteria (a CRITERIA-ordered row) and scores."""

    hit: Hit
    record: Record
    criteria: dict[str, Criterion]
    row: np.ndarray
    score: float = 0.0
    default_score: float = 0.0


class Matcher:
    def __init__(
        self,
        encoder: Encoder,
        store: VectorStore,
        records: Records,
        scorer: MatchScorer,
        rules: RuleBook | None = None,
        no_match_threshold: float | None = None,
        model: MatchModel | None = None,
        pool_terms: PoolTerms | None = None,
    ):
        self.encoder = encoder
        self.store = store
        self.records = records
        self.scorer = scorer
        self.rules = rules
        self.model = model or MatchModel.load()
        self.no_match_threshold = no_match_threshold  # None: each direction's threshold (match model)
        self.pool_terms = pool_terms or PoolTerms(store, None)

    def for_record(
        self,
        kind: Kind,
        record_id: str,
        filters: Filters | None,
        limit: int,
        offset: int,
        weights: dict[str, float] | None = None,
        count: bool = False,
        tenant: str = DEFAULT_TENANT,
    ) -> MatchPage:
        """Best records of the other side for a stored job or candidate (its stored vector, no re-encoding),
        within its tenant."""
        rec, vector, title_vector = self.records.get_with_vector(kind, record_id, tenant)
        query = Query(
            np.asarray(vector, dtype=np.float32),
            " ".join(_TEXT[kind](rec.doc)),
            rec.doc.get("skills") or [],
            kind,
            rec,
            self.records.sparse_of(kind, rec.doc),
            title_vector,
        )
        return self._search(kind.other, query, filters, limit, offset, weights, count, tenant)

    def for_text(
        self,
        text: str,
        target: Kind,
        filters: Filters | None,
        limit: int,
        offset: int,
        weights: dict[str, float] | None = None,
        count: bool = False,
        tenant: str = DEFAULT_TENANT,
    ) -> MatchPage:
        """Ad hoc: a free text (a job ad, a CV) against one side; long texts are chunked like stored ones."""
        vector = self.encoder.encode_documents([("", text)])[0]
        kind = target.other
        doc = {"title": "", "description": text} if kind is Kind.JOB else {"cv_text": text}
        rec = Record("", kind, doc, 0.0, 0.0, extracted=extract(kind, doc))
        query = Query(vector, text, [], kind, rec, self.records.sparse_of(kind, doc))
        return self._search(target, query, filters, limit, offset, weights, count, tenant)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def _search(
        self,
        target: Kind,
        query: Query,
        filters: Filters | None,
        limit: int,
        offset: int,
        weights: dict[str, float] | None = None,
        count: bool = False,
        tenant: str = DEFAULT_TENANT,
    ) -> MatchPage:
        flt = match_filter(filters, tenant, self.records.model_id, self.records.combined_filters(target))
        fired = self.rules.fired(query.rule_vector, tenant) if self.rules else FiredRules()
        pool = self._pool(target, query, flt, offset + limit + 1, fired)
        ranker = self.model.for_target(target.value)
        ranked = self._rank(query, target, pool, weights, ranker)
        page = ranked[offset : offset + limit]
        conf = ranker.confidence(
            np.array([s.row for s in ranked]).reshape(len(ranked), len(CRITERIA)),
            np.array([s.default_score for s in ranked]),
        )
        conf_by_id = {} if conf is None else {s.hit.id: float(c) for s, c in zip(ranked, conf)}
        matches, explanations = [], []
        for s in page:
            c = conf_by_id.get(s.hit.id)
            matches.append(Match(s.record, round(s.score, 4), None if c is None else round(c, 4)))
            explanations.append(explain(query, s, target, normalise_weights(weights) if weights else ranker.weights))
        qc = self.scorer.object_confidence(query.vector[None])
        # judged on the whole pool, as the threshold was fitted (its best confidence), whatever the page or weights
        pool_conf = [] if not ranked else [None] if conf is None else conf.tolist()
        threshold = ranker.no_match_threshold if self.no_match_threshold is None else self.no_match_threshold
        return MatchPage(
            matches,
            self.records.model_id,
            confidence.no_good_match(pool_conf, threshold),
            None if qc is None else round(float(qc[0]), 4),
            explanations,
            fired.applied(),
            self.store.count(target.value, flt) if count else None,
        )

    def _pool(self, target: Kind, query: Query, flt, want: int, fired: FiredRules) -> list[Hit]:
        """The hybrid (dense + BM25) candidates worth scoring: at least POOL, more for deep pages; with
        fired rules, excluded records are dropped and the pool refilled from further down."""
        fetch = max(POOL, want)
        fields = (*RECORD_FIELDS, "title_vector") if fired.rules else RECORD_FIELDS  # (`rule_vector`)
        prefetch = self.pool_terms.query(target.value, query.sparse)
        while True:
            fired.excluded.clear()
            raw = self.store.hybrid(
                target.value, query.vector.tolist(), query.sparse, flt, fetch, fields, prefetch, bool(fired.rules)
            )
            kept = [h for h in raw if not fired.rules or fired.excludes(rule_vector(h), h.id) is None]
            if len(kept) >= max(POOL, want) or len(raw) < fetch:
                return kept
            fetch *= 2

    def _rank(
        self, query: Query, target: Kind, pool: list[Hit], weights: dict[str, float] | None, ranker: Ranker
    ) -> list[Scored]:
        """Every criterion for every pool member; best first by the (request's or default) weighted score."""
        if not pool:
            return []
        bm25 = self.records.bm25
        me = side_of(query.kind, query.record.doc, query.record.extracted, query.record.occupations, bm25)
        best_lexical = max(h.lexical for h in pool) or 1.0
        scored = []
        for h in pool:
            rec = to_record(target, h)
            other = side_of(
                target,
                rec.doc,
                rec.extracted,
                rec.occupations,
                bm25,
                frozenset(h.sparse.indices) if h.sparse is not None else None,
            )
            job, cand = (me, other) if query.kind is Kind.JOB else (other, me)
            crit = score_pair(job, cand, h.semantic, h.lexical / best_lexical)
            scored.append(Scored(h, rec, crit, np.array([crit[c].score for c in CRITERIA])))
        X = np.array([s.row for s in scored])
        defaults = ranker.scores(X)
        chosen = ranker.scores(X, weights) if weights else defaults
        for s, d, c in zip(scored, defaults, chosen):
            s.default_score, s.score = float(d), float(c)
        return sorted(scored, key=lambda s: -s.score)


def rule_vector(hit: Hit) -> np.ndarray:
    """What an exclude_near anchor is compared with: the record's title vector (what it says it is), or its
    document vector when it has no title."""
    title = unpack_vector(hit.payload.get("title_vector"))
    return np.asarray(hit.vector, dtype=np.float32) if title is None else title


def explain(query: Query, scored: Scored, target: Kind, weights: dict[str, float]) -> Explanation:
    """Per criterion: its score, its weight in `score`, and the evidence; plus the words both texts share."""
    doc = scored.record.doc
    text = " ".join(_TEXT[target](doc))
    skills = scored.criteria["skills"].evidence
    return Explanation(
        breakdown={
            c: CriterionScore(
                round(scored.criteria[c].score, 4), round(weights.get(c, 0.0), 4), scored.criteria[c].evidence
            )
            for c in CRITERIA
        },
        matched_skills=skills.get("matched", []),
        missing_skills=skills.get("missing", []),
        shared_terms=shared_terms(query.text, text, query.skills, doc.get("skills")),
    )
