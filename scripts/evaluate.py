"""Evaluate occupation normalisation on the JobBERT validation titles (validation only, never training).

    .venv/bin/python scripts/evaluate.py                       # base vs trained (default artifact) vs TF-IDF
    .venv/bin/python scripts/evaluate.py --model models/x --limit 3000

For each vacancy title, all ESCO occupations are ranked (by their preferred label, by the best of
all their labels, and for the trained model as the service ranks them: the best 50 by label re-ranked
by the mix of label, description and lexical scores); prints MRR and Recall@1/5/10 on all titles and on
the titles that are not verbatim ESCO labels (about 8%). `--wrap "We are hiring: {title}. ..."` ranks
each title inside a text instead (how a whole vacancy normalises; no reliability diagram then).

Confidence (with a calibrated trained model): on the evaluation half of the titles (the ranking and the
calibrators were fitted on the other half by scripts/calibrate.py), the served top-1 occupation's
confidence is judged by ECE (15 bins), Brier score, AUROC against correctness and accuracy at 50% /
80% coverage, next to two baselines fitted on the same fitting half: the raw top-1 score and the
top-1 minus top-2 margin. A reliability diagram is written to docs/reliability.png. Then the same
features refitted on the titles of half of the occupations (scored on the other half's), and what the
labels allow (app/training/label_audit.py): how often a repeated title carries different occupations,
how many confident errors name the predicted occupation, and the AUROC a per-occupation prior fitted
on the labels would reach (training on them: measured, never served).
"""

import argparse
from pathlib import Path

import numpy as np

from app.encoder.factory import DEFAULT_MODEL, build_encoder
from app.encoder.sentence import SentenceTransformerEncoder
from app.matching.calibration import Calibrator, ranking_profile
from app.matching.confidence import OCCUPATION_FEATURES
from app.matching.occupations import RERANK_DEPTH
from app.matching.ranking import RankingProfile
from app.matching.scorer import MatchScorer
from app.settings import Settings
from app.training.calibration import (
    OccupationVectors,
    Rankings,
    Top1Table,
    baseline_calibrators,
    confidence_report,
    split_halves,
    top1_table,
)
from app.training.data import load_occupations, shared_data
from app.training.evaluate import gold_ranks, label_table, rank_report, target_scores, validation_pairs
from app.training.label_audit import named_errors, prior_confidence, repeated_titles

SHARED = shared_data()


def load(esco: Path, titles_path: Path, limit: int | None):
    occs = load_occupations(esco)
    pairs = validation_pairs(occs, titles_path, limit)
    all_labels = {lab.lower() for o in occs for lab in o.labels}
    verbatim = np.array([t.lower() in all_labels for t, _ in pairs])
    return occs, pairs, verbatim


def report(name: str, scores_pref, scores_all, gold, verbatim) -> dict:
    out = {}
    for rep_name, scores in (("preferred label", scores_pref), ("best of all labels", scores_all)):
        ranks = gold_ranks(scores, gold)
        full, clean = rank_report(ranks), rank_report(ranks[~verbatim])
        print(f"{name:22s} {rep_name:19s} all: {full.row()}")
        print(f"{'':22s} {'':19s} non-verbatim: {clean.row()}")
        out[rep_name] = (full, clean)
    return out


def tfidf_scores(queries, occs, label_texts, owner):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    vec.fit(label_texts + queries)
    q = vec.transform(queries)
    pref = (q @ vec.transform([o.label for o in occs]).T).toarray().astype(np.float32)
    allv = vec.transform(label_texts)
    starts = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
    alls = np.maximum.reduceat((q @ allv.T).toarray().astype(np.float32), starts, axis=1)
    return pref, alls


def encoder_scores(enc, queries, occs, label_texts, owner):
    q = enc.encode(queries)
    pref = q @ enc.encode([o.label for o in occs]).T
    return pref, target_scores(q, enc.encode(label_texts), owner, len(occs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--esco", type=Path, default=SHARED / "esco" / "occupations_en.csv")
    ap.add_argument("--titles", type=Path, default=SHARED / "jobbert_validation" / "titles.csv")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained artifact to compare with the base")
    ap.add_argument("--limit", type=int, default=None, help="evaluate a fixed random subset of titles")
    ap.add_argument("--skip-base", action="store_true")
    ap.add_argument(
        "--wrap",
        default=None,
        help="rank each title wrapped in this text, e.g. a vacancy template "
        "with {title} in it: how a whole ad normalises",
    )
    ap.add_argument(
        "--backend",
        choices=["auto", "torch", "onnx"],
        default="auto",
        help="for the trained model: auto = what the service runs (ONNX when exported)",
    )
    ap.add_argument("--plot", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "reliability.png")
    args = ap.parse_args()

    occs, pairs, verbatim = load(args.esco, args.titles, args.limit)
    if args.wrap:
        if "{title}" not in args.wrap:
            ap.error("--wrap needs {title} in it")
        pairs = [(args.wrap.replace("{title}", t), g) for t, g in pairs]
    queries, gold = [t for t, _ in pairs], np.array([g for _, g in pairs])
    label_texts, owner = label_table(occs)
    print(f"{len(pairs)} titles ({verbatim.mean():.1%} verbatim ESCO labels), {len(occs)} occupations\n")
    report("char TF-IDF", *tfidf_scores(queries, occs, label_texts, owner), gold, verbatim)
    if not args.skip_base:
        report(
            "base MiniLM",
            *encoder_scores(SentenceTransformerEncoder(), queries, occs, label_texts, owner),
            gold,
            verbatim,
        )
    if args.model and args.model.exists():
        enc = build_encoder(Settings(model_path=args.model, encoder_backend=args.backend))
        name = f"trained {enc.backend} {getattr(enc, 'model_file', '')}".strip()
        occ = OccupationVectors.encode(enc.encode, occs)
        q = enc.encode(queries)
        scorer = MatchScorer.for_encoder(enc)
        rankings = Rankings.of(q, occ, queries, ranking_profile(scorer.calibration).lexicon)
        report(name, q @ occ.label_vecs[occ.starts].T, rankings.label, gold, verbatim)
        served_section(scorer, rankings, gold, verbatim)
        if not args.limit:
            confidence_section(scorer, queries, q, rankings, occ, gold, None if args.wrap else args.plot)
    else:
        print(f"(no trained model at {args.model})")


def served_section(scorer, rankings, gold, verbatim) -> None:
    """The ranking the service runs: the best RERANK_DEPTH occupations by best label, re-ranked by
    best label + w_d x description + w_l x lexical, the weights from the model's calibration (chosen on
    the fitting half)."""
    w = ranking_profile(scorer.calibration)
    served = rankings.served(w, RERANK_DEPTH)
    _, held = split_halves(len(gold))
    print(
        f"\nas served: best label + {w.description} x description + {w.lexical} x lexical cosine, top "
        f"{RERANK_DEPTH} by label re-ranked (weights chosen on the fitting half of the titles):"
    )
    print(f"  all titles:          {rank_report(gold_ranks(served, gold)).row()}")
    print(f"  non-verbatim:        {rank_report(gold_ranks(served[~verbatim], gold[~verbatim])).row()}")
    print(f"  held-out half:       {rank_report(gold_ranks(served[held], gold[held])).row()}")
    print(f"  held-out half, labels only: {rank_report(gold_ranks(rankings.label[held], gold[held])).row()}")
    if w.lexical:
        dense = RankingProfile(w.description)
        print(
            f"  held-out half, without the lexical score (best label + {w.description} x description): "
            f"{rank_report(gold_ranks(rankings.served(dense, RERANK_DEPTH)[held], gold[held])).row()}"
        )


def confidence_section(scorer, texts, q, rankings, occ, gold, plot: Path | None) -> None:
    if scorer.calibration is None or scorer.calibration.occupation is None:
        print("\n(no calibration.json with an occupation calibrator for this model: run scripts/calibrate.py)")
        return
    w = ranking_profile(scorer.calibration)

    def table(idx):
        return top1_table(
            scorer, [texts[i] for i in idx], q[idx], rankings.subset(idx), occ, gold[idx], w, RERANK_DEPTH
        )

    fit_idx, eval_idx = split_halves(len(gold))
    fit, held = table(fit_idx), table(eval_idx)
    cal = scorer.calibration
    rows = {
        "occupation calibrator": cal.occupation.predict(cal.occupation.select(held.X_occupation, OCCUPATION_FEATURES)),
        "match calibrator": cal.match.predict(cal.match.select(held.X_match)),
    }
    for name, base in baseline_calibrators(fit).items():
        rows[name] = base.predict(base.select(held.X_match))
    print(
        f"\nconfidence of the top-1 occupation as served, {len(eval_idx)} held-out titles "
        f"(top-1 accuracy {held.correct.mean():.4f}):"
    )
    print(f"{'':24s} {'ECE':>7s} {'Brier':>7s} {'AUROC':>7s} {'acc@50%':>8s} {'acc@80%':>8s}")
    for name, conf in rows.items():
        r = confidence_report(conf, held.correct)
        print(f"{name:24s} {r['ECE']:7.4f} {r['Brier']:7.4f} {r['AUROC']:7.4f} {r['acc@50%']:8.4f} {r['acc@80%']:8.4f}")
    if plot is not None:
        reliability_plot(rows, held.correct, plot)
    n_occ, order = len(occ.desc_vecs), np.r_[fit_idx, eval_idx]
    both = Top1Table.concat(fit, held)  # rows in `order`
    seen = seen_occupations(gold[order], n_occ)
    unseen_occupations(both, seen)
    label_audit([texts[i] for i in order], gold[order], fit, held, both, seen, rows["occupation calibrator"], n_occ)


def seen_occupations(gold: np.ndarray, n_occ: int) -> np.ndarray:
    """Rows whose labelled occupation is in a fixed random half of the occupations."""
    return np.isin(gold, np.random.default_rng(1).permutation(n_occ)[: n_occ // 2])


def unseen_occupations(both, seen: np.ndarray) -> None:
    """A harder split: refit the occupation calibrator on the titles of half of the occupations and
    score it on the titles of the other half, so it cannot lean on which occupations it has seen."""
    X, y = both.X_occupation, both.correct
    cal = Calibrator.fit(X[seen], y[seen], OCCUPATION_FEATURES)
    r = confidence_report(cal.predict(X[~seen]), y[~seen])
    print(
        f"same features refitted on the titles of half of the occupations, scored on the other half's "
        f"{int((~seen).sum())} titles: ECE {r['ECE']:.4f}  AUROC {r['AUROC']:.4f}  acc@50% {r['acc@50%']:.4f}"
    )


def label_audit(texts, gold, fit, held, both, seen: np.ndarray, conf_held: np.ndarray, n_occ: int) -> None:
    """What these labels allow a confidence to reach (app/training/label_audit.py; never served).
    `texts`, `gold`, `both` and `seen` hold the fitting rows, then the held-out ones."""
    print("\nwhat these labels allow (diagnostics, never served):")
    rep = repeated_titles(texts, gold)
    if rep.groups:
        print(
            f"  {rep.groups} titles occur more than once ({rep.rows} rows); {rep.inconsistent} of them "
            f"({rep.inconsistent / rep.groups:.1%}) are labelled with more than one occupation. The best possible "
            f"title -> occupation mapping is right on {rep.ceiling:.1%} of those rows; the served top-1 on "
            f"{both.correct[rep.mask].mean():.1%}."
        )
    cov = held.X_occupation[:, OCCUPATION_FEATURES.index("any_label_coverage")]
    n, named = named_errors(conf_held, held.correct, cov, 0.7)
    print(
        f"  {n} held-out top-1s with confidence >= 0.7 are wrong by the labels; the title contains a whole "
        f"label of the predicted occupation in {named:.1%} of them."
    )
    prior = prior_confidence(fit.X_occupation, fit.correct, fit.top, held.X_occupation, held.top, n_occ)
    X, y, top = both.X_occupation, both.correct, both.top
    unseen = prior_confidence(X[seen], y[seen], top[seen], X[~seen], top[~seen], n_occ)
    print(
        f"  + a per-occupation prior fitted on the labels (how often they agreed with each predicted "
        f"occupation: training on them, so not served): AUROC {confidence_report(prior, held.correct)['AUROC']:.4f} "
        f"on held-out titles, {confidence_report(unseen, y[~seen])['AUROC']:.4f} on held-out occupations."
    )


def reliability_plot(rows: dict, correct: np.ndarray, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from app.training.metrics import reliability_bins

    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    for name, conf in rows.items():
        centres, acc, count = reliability_bins(conf, correct.astype(float), 15)
        keep = count > 0
        ax.plot(centres[keep], acc[keep], marker="o", label=name)
    ax.set_xlabel("confidence (15 bins)")
    ax.set_ylabel("accuracy of the top-1 occupation")
    ax.set_title("Reliability on held-out JobBERT titles")
    ax.legend(loc="upper left", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"reliability diagram: {path}")


if __name__ == "__main__":
    main()
