"""Fit what the confidence of a model needs on the fitting half of the JobBERT validation titles and
store it beside the model (calibration.json, tagged with the model version):

- the occupation ranking: a character n-gram lexicon fitted on the ontology's labels, and the weights of
  best label + w_d x description + w_l x lexical, chosen together by MRR;
- the calibrator of occupation normalisation (OCCUPATION_FEATURES) on the top-1 occupations of the
  fitting titles and of clean queries: ESCO alternative labels held out of the ontology (`--clean`),
  so that confidence holds on clean titles as on the noisy JobBERT labels; both are reported on their
  other halves;
- the calibrator of job <-> candidate matches (FEATURES) on the same top-1 occupations.

    .venv/bin/python scripts/calibrate.py [--model models/jobmatch-esco] [--backend auto]
"""

import argparse
from pathlib import Path

import numpy as np

from app.encoder.factory import DEFAULT_MODEL, build_encoder
from app.matching.calibration import CALIBRATION_FILE
from app.matching.lexical import Lexicon
from app.matching.occupations import RERANK_DEPTH
from app.matching.ranking import RankingProfile
from app.matching.scorer import MatchScorer
from app.settings import Settings
from app.training.calibration import (
    OccupationVectors,
    Rankings,
    Top1Table,
    choose_weights,
    confidence_report,
    fit_calibration,
    held_out_labels,
    split_halves,
    top1_table,
)
from app.training.data import load_occupations, load_validation_titles, shared_data

SHARED = shared_data()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument(
        "--backend",
        choices=["auto", "torch", "onnx"],
        default="auto",
        help="auto = what the service runs (ONNX when exported)",
    )
    ap.add_argument("--esco", type=Path, default=SHARED / "esco" / "occupations_en.csv")
    ap.add_argument("--titles", type=Path, default=SHARED / "jobbert_validation" / "titles.csv")
    ap.add_argument("--clean", type=int, default=3000, help="ESCO labels held out as clean queries (0: none)")
    args = ap.parse_args()

    occs = load_occupations(args.esco)
    uri = {o.uri: i for i, o in enumerate(occs)}
    pairs = [(t, uri[u]) for t, u in load_validation_titles(args.titles) if u in uri]
    fit_idx, eval_idx = split_halves(len(pairs))
    texts, gold = [pairs[i][0] for i in fit_idx], np.array([pairs[i][1] for i in fit_idx])
    enc = build_encoder(Settings(model_path=args.model, encoder_backend=args.backend))
    occ = OccupationVectors.encode(enc.encode, occs)
    queries = enc.encode(texts)
    lexicon = Lexicon.fit(occ.labels)
    rankings = Rankings.of(queries, occ, texts, lexicon)
    weights = choose_weights(rankings, gold, RERANK_DEPTH, lexicon)
    scorer = MatchScorer(enc, None)
    table = top1_table(scorer, texts, queries, rankings, occ, gold, weights, RERANK_DEPTH)
    eval_texts, eval_gold = [pairs[i][0] for i in eval_idx], np.array([pairs[i][1] for i in eval_idx])
    eval_q = enc.encode(eval_texts)
    eval_table = top1_table(
        scorer, eval_texts, eval_q, Rankings.of(eval_q, occ, eval_texts, lexicon), occ, eval_gold, weights, RERANK_DEPTH
    )
    fit_tables, judged = [table], {"JobBERT titles, evaluation half (noisy labels)": eval_table}
    if args.clean:
        # the same ranking, on an ontology without the held-out labels (and a lexicon fitted without them)
        reduced, clean_texts, clean_gold, clean_fit = held_out_labels(occs, args.clean)
        occ_c = OccupationVectors.encode(enc.encode, reduced)
        lex_c = Lexicon.fit(occ_c.labels)
        w_c = RankingProfile(weights.description, weights.lexical, lex_c)
        q_c = enc.encode(clean_texts)
        clean_table = top1_table(
            scorer, clean_texts, q_c, Rankings.of(q_c, occ_c, clean_texts, lex_c), occ_c, clean_gold, w_c, RERANK_DEPTH
        )
        fit_tables.append(clean_table.subset(clean_fit))
        judged["ESCO labels held out, other half of the occupations (clean labels)"] = clean_table.subset(~clean_fit)
    # each set counts alike in the occupation calibrator, whatever its size
    sizes = [len(t.correct) for t in fit_tables]
    balance = np.concatenate([np.full(n, sum(sizes) / (len(sizes) * n)) for n in sizes])
    cal = fit_calibration(Top1Table.concat(*fit_tables), enc.version, weights, balance)
    cal.save(args.model / CALIBRATION_FILE)
    print(
        f"fitted on {len(texts)} titles with {enc.backend}: description weight {weights.description}, "
        f"lexical weight {weights.lexical} (lexicon of {len(lexicon.df)} n-grams from {lexicon.n_docs} labels), "
        f"top-1 accuracy {table.correct.mean():.3f}; wrote {args.model / CALIBRATION_FILE} for model {enc.version}"
    )
    for name, c in (("occupation normalisation", cal.occupation), ("job <-> candidate matches", cal.match)):
        print(f"{name}:")
        for f, coef in zip(c.features, c.coef):
            print(f"  {f:22s} {coef:+.3f}")
    print("occupation confidence, top-1 as served (fitted on the other halves):")
    for name, t in judged.items():
        conf = cal.occupation.predict(t.X_occupation)
        r = confidence_report(conf, t.correct)
        print(
            f"  {name}: n={len(t.correct)} top-1 accuracy {r['accuracy']:.3f}, mean confidence {conf.mean():.3f}, "
            f"ECE {r['ECE']:.4f}, Brier {r['Brier']:.4f}, AUROC {r['AUROC']:.4f}"
        )


if __name__ == "__main__":
    main()
