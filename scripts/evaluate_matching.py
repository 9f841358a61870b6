"""Job <-> candidate matching measured on labelled pairs, through the real service (app, store, matcher).

    .venv/bin/python scripts/evaluate_matching.py          # report with the shipped match model
    .venv/bin/python scripts/evaluate_matching.py --fit    # refit models/matching/match_model.json first

Loads ../shared/data/jobcv_dev (jobs, CVs, graded pairs: 2 = the CV written for the job, 1 = a copy
with required skills removed and fewer years) into a fresh embedded store through the HTTP API, splits
the jobs into a fitting and a reporting half (fixed seed), and asks the service for each job's
candidates and each fitting CV's jobs. `--fit` fits the criterion weights, the confidence calibrator
on the fitting half only (the no-good-match
threshold is the calibrated probability 0.5). Prints, for the reporting half: ranking
(nDCG@10, MRR, hit@1, fit above its weakened copy) in both directions, confidence (ECE, Brier,
AUROC fit vs weakened and fit vs unrelated, no_good_match rate), BM25 on the same texts in the same
run, and one ablation row per criterion (its weight set to 0).
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from fastapi.testclient import TestClient

from app.encoder.factory import build_encoder
from app.main import create_app
from app.matching.criteria import CRITERIA
from app.matching.lexical_vectors import Bm25Encoder
from app.matching.match_model import MODEL_FILE, MatchModel, Ranker
from app.settings import Settings
from app.training.data import shared_data
from app.training.match_fit import (
    Pool,
    confidence_metrics,
    fit_calibrator,
    fit_weights,
    ranking_metrics,
    split_by_query,
    with_priors,
)

DATA = shared_data() / "jobcv_dev"


def load(folder: Path):
    jobs = [json.loads(line) for line in (folder / "jobs.jsonl").open()]
    cvs = [json.loads(line) for line in (folder / "cvs.jsonl").open()]
    qrels: dict[tuple[str, str], int] = {}
    for line in (folder / "qrels.tsv").read_text().splitlines()[1:]:
        job, cv, grade = line.split("\t")
        qrels[(job, cv)] = int(grade)
    return jobs, cvs, qrels


def ingest(client: TestClient, jobs, cvs) -> tuple[dict[str, str], dict[str, str]]:
    """external id -> service id, for jobs and for CVs."""

    def bulk(path, docs):
        out = {}
        for i in range(0, len(docs), 500):
            r = client.post(path, json=docs[i : i + 500])
            r.raise_for_status()
            out.update({x["external_id"]: x["id"] for x in r.json()["results"]})
        return out

    job_ids = bulk(
        "/v1/jobs/bulk", [{"external_id": j["id"], "title": j["title"], "description": j["text"]} for j in jobs]
    )
    cv_ids = bulk("/v1/candidates/bulk", [{"external_id": c["id"], "cv_text": c["text"]} for c in cvs])
    return job_ids, cv_ids


def pools(client: TestClient, path: str, queries: dict[str, str], grade_of, stored) -> dict[str, Pool]:
    out = {}
    for ext, sid in queries.items():
        r = client.post(path.format(sid), json={"limit": 50})
        r.raise_for_status()
        ms = r.json()["matches"]
        rows = np.array([[m["explanation"]["breakdown"][c]["score"] for c in CRITERIA] for m in ms]).reshape(
            len(ms), len(CRITERIA)
        )
        out[ext] = Pool(
            ext,
            [m["external_id"] for m in ms],
            rows,
            np.array([grade_of(ext, m["external_id"]) for m in ms]),
            stored(ext),
        )
    return out


def bm25_metrics(queries: dict[str, str], targets: dict[str, str], grade_of) -> dict[str, float]:
    """Plain BM25 (the service's tokenizer and term weights, Qdrant's IDF) over every target, brute force."""
    enc = Bm25Encoder()
    docs = {t: enc.document(text) for t, text in targets.items()}
    df: dict[int, int] = {}
    for v in docs.values():
        for i in v.indices:
            df[i] = df.get(i, 0) + 1
    n = len(docs)
    idf = {i: np.log(1 + (n - d + 0.5) / (d + 0.5)) for i, d in df.items()}
    weights = {t: dict(zip(v.indices, v.values)) for t, v in docs.items()}
    names = list(targets)
    result = []
    for q, text in queries.items():
        qv = enc.query(text)
        scores = np.array(
            [sum(idf.get(i, 0) * w * weights[t].get(i, 0.0) for i, w in zip(qv.indices, qv.values)) for t in names]
        )
        top = np.argsort(-scores, kind="stable")[:50]
        result.append(
            Pool(q, [names[i] for i in top], scores[top][:, None], np.array([grade_of(q, names[i]) for i in top]))
        )
    return ranking_metrics(result, lambda p: p.rows[:, 0])


def line(name: str, m: dict[str, float], keys) -> str:
    return f"{name:<34}" + "".join(f"{m[k]:>10.4f}" for k in keys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--fit", action="store_true", help="refit and save the match model on the fitting half")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--splits",
        type=int,
        default=0,
        help="also refit the weights on N other seeded halves and print the spread of the reporting "
        "figures (how much the seed-0 split is luck)",
    )
    ap.add_argument(
        "--reference",
        default="esco",
        help="reference occupations loaded before the records, as the service does (esco, none, a CSV)",
    )
    ap.add_argument("--save-pools", type=Path, help="pickle the pools (both directions) here, for analysis")
    args = ap.parse_args()

    jobs, cvs, qrels = load(args.data)
    fitting, reporting = split_by_query([j["id"] for j in jobs], args.seed)
    job_of = {cv: job for (job, cv), g in qrels.items()}
    fit_cvs = {cv for (job, cv), g in qrels.items() if g == 2}
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="evalmatch-")), reference_occupations=args.reference)
    encoder = build_encoder(settings)
    started = time.perf_counter()
    with TestClient(create_app(settings, encoder=encoder)) as client:
        ref = client.app.state.services.reference.wait()
        print(
            f"reference occupations: {ref['set']} {ref['status']}, {ref['loaded']} in "
            f"{time.perf_counter() - started:.0f} s"
        )
        started = time.perf_counter()
        job_ids, cv_ids = ingest(client, jobs, cvs)
    print(
        f"ingested {len(job_ids)} jobs and {len(cv_ids)} CVs in {time.perf_counter() - started:.1f} s "
        f"(model {encoder.name}@{encoder.version})"
    )

    def job_grade(job, cv):
        return qrels.get((job, cv), 0)

    def cv_grade(cv, job):
        return qrels.get((job, cv), 0)

    def run(model_note: str):
        with TestClient(create_app(settings, encoder=encoder)) as client:
            jp = pools(client, "/v1/jobs/{}/matches", job_ids, job_grade, lambda q: True)
            cp = pools(client, "/v1/candidates/{}/matches", {c: cv_ids[c] for c in fit_cvs}, cv_grade, lambda q: True)
            model = client.app.state.services.matcher.model
        print(f"\nmatch model: {model_note}")
        for target, r in model.rankers.items():
            print(f"  {target:<11} weights " + ", ".join(f"{c} {w:.3f}" for c, w in r.weights.items()))
        return jp, cp, model

    jp, cp, model = run("as shipped" if MODEL_FILE.exists() else "none shipped (equal weights, no confidence)")
    if args.fit:
        rankers = {}
        for target, fit_pools in (
            ("candidates", [jp[j] for j in fitting]),
            ("jobs", [cp[c] for c in fit_cvs if job_of[c] in fitting]),
        ):
            ranker = Ranker(with_priors(fit_weights(fit_pools), fit_pools))
            ranker.calibrator = fit_calibrator(fit_pools, ranker)
            rankers[target] = ranker
        model = MatchModel(
            rankers,
            f"jobcv_dev (rjdb, CC BY-SA 4.0) fitting half: seed {args.seed}, "
            f"{len(fitting)} of {len(jobs)} jobs; reference occupations: {args.reference}",
        )
        model.save()
        print(f"saved {MODEL_FILE}")
        jp, cp, model = run("just fitted")

    if args.save_pools:
        import pickle

        args.save_pools.write_bytes(pickle.dumps({"jobs": jp, "cvs": cp, "fitting": fitting, "reporting": reporting}))
    jobs_ranker, cvs_ranker = model.for_target("candidates"), model.for_target("jobs")
    rep_jobs = [jp[j] for j in reporting]
    rep_cvs = [cp[c] for c in fit_cvs if job_of[c] in reporting]
    keys = ("ndcg@10", "mrr", "hit@1", "fit_above_weakened")
    print(f"\nreporting half: {len(rep_jobs)} jobs, {len(rep_cvs)} fitting CVs; every record of both halves stored")
    print(f"{'job -> candidates':<34}" + "".join(f"{k:>10}" for k in keys))
    print(line("service (served order)", ranking_metrics(rep_jobs, lambda p: -np.arange(len(p.grades))), keys))
    texts_jobs = {j["id"]: f"{j['title']}. {j['text']}" for j in jobs}
    texts_cvs = {c["id"]: c["text"] for c in cvs}
    print(
        line("BM25 on the same texts", bm25_metrics({j: texts_jobs[j] for j in reporting}, texts_cvs, job_grade), keys)
    )
    for c in CRITERIA:
        if jobs_ranker.weights.get(c, 0) > 0:
            w = {k: v for k, v in jobs_ranker.weights.items() if k != c}
            print(line(f"  without {c}", ranking_metrics(rep_jobs, lambda p, w=w: jobs_ranker.scores(p.rows, w)), keys))
    for c in CRITERIA:
        print(
            line(f"  {c} alone", ranking_metrics(rep_jobs, lambda p, c=c: jobs_ranker.scores(p.rows, {c: 1.0})), keys)
        )

    print(f"\n{'candidate -> jobs':<34}" + "".join(f"{k:>10}" for k in keys[:3]))
    print(line("service (served order)", ranking_metrics(rep_cvs, lambda p: -np.arange(len(p.grades))), keys[:3]))
    print(
        line(
            "BM25 on the same texts",
            bm25_metrics({c.query: texts_cvs[c.query] for c in rep_cvs}, texts_jobs, cv_grade),
            keys[:3],
        )
    )
    if args.splits:
        keys2 = ("mrr", "fit_above_weakened")
        runs = []
        for seed in range(1, args.splits + 1):
            fit_q, rep_q = split_by_query(sorted(jp), seed)
            w = fit_weights([jp[q] for q in fit_q])
            runs.append(
                [ranking_metrics([jp[q] for q in rep_q], lambda p, w=w: Ranker(w).scores(p.rows))[k] for k in keys2]
            )
        r = np.array(runs)
        print(
            f"  weights refitted on {args.splits} other splits (seeds 1-{args.splits}), job -> candidates: "
            + ", ".join(f"{k} mean {r[:, i].mean():.4f} min {r[:, i].min():.4f}" for i, k in enumerate(keys2))
        )
    if jobs_ranker.calibrator is None:
        print("\nno confidence: the match model has no calibrator (run with --fit)")
        return
    conf = confidence_metrics(rep_jobs, jobs_ranker)
    print(f"\nconfidence, job -> candidates, top 10 of each job (threshold {jobs_ranker.no_match_threshold:.3f}):")
    for k, v in conf.items():
        print(f"  {k:<36}{v:.4f}")
    conf = confidence_metrics(rep_cvs, cvs_ranker)
    print(
        f"\nconfidence, candidate -> jobs, top 10 of each fitting CV (threshold {cvs_ranker.no_match_threshold:.3f}; "
        "no weakened copy in this direction):"
    )
    for k, v in conf.items():
        if "weakened" not in k:
            print(f"  {k:<36}{v:.4f}")


if __name__ == "__main__":
    main()
