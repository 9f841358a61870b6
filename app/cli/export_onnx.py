"""Export the served model to ONNX, checked against torch; the service then uses ONNX Runtime by default.

    jobmatch-export-onnx                           # models/jobmatch-esco -> models/jobmatch-esco/onnx
    jobmatch-export-onnx --model base              # the bundled MiniLM -> models/all-MiniLM-L6-v2-onnx
    jobmatch-export-onnx --int8 auto --record      # measure int8 against fp32 and record the decision

The check texts ship with the repository, so every machine checks the same export the same way:
labels and descriptions of the shipped ESCO occupations, synthetic ~300-word CVs built from them and
the README's example people. The export counts (export.json is written) only if every text's vector
has cosine >= --min-cosine with the torch backend's.

int8 is part of the model release, not of the machine: `release.json` beside the model records
whether int8 is served and the validation figures that decided it. `--int8 release` (the default)
follows it; `--int8 auto` ranks all ESCO occupations for every JobBERT validation title with both
files (needs ../shared/data) and serves int8 only if it costs less than --max-mrr-drop; `--record`
writes that decision to release.json. `--int8 yes` / `no` force a choice.
"""

import argparse
import json
import random
import subprocess
from pathlib import Path

import numpy as np

from app.encoder.factory import DEFAULT_MODEL, onnx_dir
from app.encoder.onnx_export import export_onnx, quantize_int8, serve_file
from app.encoder.onnx_runtime import MODEL_FILE, OnnxEncoder
from app.encoder.texts import candidate_text, chunk_words
from app.reference import ESCO
from app.training.data import load_occupations, shared_data

RELEASE = "release.json"
FALLBACK_TEXTS = [
    "Senior Python developer",
    "Registered nurse, intensive care",
    "Lkw-Fahrer (m/w/d) CE",
    "a long text " * 200,
]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "people.ndjson"


def check_texts(n_labels: int, n_cvs: int) -> list[str]:
    """Texts the repository ships: what the service encodes (titles, descriptions, CV chunks)."""
    from app.bench.synthetic import make_cvs

    texts = list(FALLBACK_TEXTS)
    occs = load_occupations(ESCO)
    rng = random.Random(0)
    for o in rng.sample(occs, min(n_labels, len(occs))):
        texts += [rng.choice(o.labels), o.description[:1000] or o.label]
    for cv in make_cvs(n_cvs):
        texts += chunk_words(*candidate_text(cv), 150, 8)
    if EXAMPLES.exists():
        for line in EXAMPLES.read_text().splitlines():
            doc = json.loads(line) if line.strip().startswith("{") else None
            if isinstance(doc, dict):
                texts += chunk_words(*candidate_text(doc), 150, 8)
    return texts


def validation_mrr(export: Path, model_file: str, titles: Path) -> tuple[float, int]:
    """MRR of the preferred label over all ESCO occupations, for every JobBERT validation title."""
    from app.training.evaluate import gold_ranks, rank_report, validation_pairs

    occs = load_occupations(ESCO)
    pairs = validation_pairs(occs, titles)
    enc = OnnxEncoder(export, model_file=model_file)
    q, targets = enc.encode([t for t, _ in pairs]), enc.encode([o.label for o in occs])
    return rank_report(gold_ranks(q @ targets.T, np.array([g for _, g in pairs]))).mrr, len(pairs)


def read_release(model: Path | None) -> dict | None:
    path = (model or Path()) / RELEASE
    return json.loads(path.read_text()) if model is not None and path.exists() else None


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def choose_int8(out: Path, mode: str, model: Path | None, titles: Path, max_drop: float, record: bool) -> dict:
    if mode == "release":
        release = read_release(model)
        if release is None or "int8" not in release:
            return serve_file(out, MODEL_FILE, {"served": False, "why": f"no {RELEASE} with an int8 decision"})
        decision = release["int8"]
        mode = "yes" if decision["served"] else "no"
        why = f"{RELEASE}: {decision['why']}"
    else:
        why = f"--int8 {mode}"
    if mode == "no":
        return serve_file(out, MODEL_FILE, {"served": False, "why": why})
    int8 = quantize_int8(out)
    if mode == "yes":
        return serve_file(out, int8, {"served": True, "why": why})
    if not titles.exists():
        raise SystemExit(f"--int8 auto needs the JobBERT validation titles at {titles} (JOBMATCH_SHARED_DATA)")
    (fp32_mrr, n), (int8_mrr, _) = validation_mrr(out, MODEL_FILE, titles), validation_mrr(out, int8, titles)
    served = fp32_mrr - int8_mrr < max_drop
    print(
        f"validation MRR (preferred label, {n} titles): fp32 {fp32_mrr:.4f}, int8 {int8_mrr:.4f} -> serving "
        f"{'int8' if served else 'fp32'} (allowed drop {max_drop})"
    )
    decision = {
        "served": served,
        "why": f"validation MRR {fp32_mrr:.4f} fp32 vs {int8_mrr:.4f} int8 (allowed drop {max_drop})",
        "mrr_fp32": round(fp32_mrr, 4),
        "mrr_int8": round(int8_mrr, 4),
        "titles": n,
        "max_drop": max_drop,
        "measured_on": commit(),
        "command": "jobmatch-export-onnx --int8 auto --record",
    }
    if record and model is not None:
        release = read_release(model) or {}
        (model / RELEASE).write_text(json.dumps({**release, "int8": decision}, indent=2) + "\n")
        print(f"recorded the decision in {model / RELEASE}")
    return serve_file(out, int8 if served else MODEL_FILE, decision)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="artifact folder, or 'base' for the bundled MiniLM")
    ap.add_argument("--out", type=Path, default=None, help="default: the model's onnx/ folder")
    ap.add_argument("--titles", type=Path, default=shared_data("jobbert_validation", "titles.csv"))
    ap.add_argument("--check-labels", type=int, default=1000, help="ESCO occupations whose label and description check")
    ap.add_argument("--check-cvs", type=int, default=100)
    ap.add_argument("--min-cosine", type=float, default=0.9999)
    ap.add_argument("--int8", choices=["release", "auto", "yes", "no"], default="release")
    ap.add_argument("--max-mrr-drop", type=float, default=0.01)
    ap.add_argument("--record", action="store_true", help=f"with --int8 auto: write the decision to {RELEASE}")
    args = ap.parse_args()

    model = None if args.model == "base" else Path(args.model)
    out = args.out or onnx_dir(model)
    meta = export_onnx(model, out, check_texts(args.check_labels, args.check_cvs), args.min_cosine)
    c = meta["check"]
    print(
        f"exported {meta['name']}@{meta['version']} to {out} in {meta['seconds']} s; "
        f"{c['texts']} check texts: min cosine {c['min_cosine']:.6f}, mean {c['mean_cosine']:.6f}"
    )
    meta = choose_int8(out, args.int8, model, args.titles, args.max_mrr_drop, args.record)
    print(f"serving {meta['model_file']} ({meta['int8']['why']})")


if __name__ == "__main__":
    main()
