"""Export the served model to ONNX, checked against torch; the service then uses ONNX Runtime by default.

    .venv/bin/python scripts/export_onnx.py                    # models/jobmatch-esco -> models/jobmatch-esco/onnx
    .venv/bin/python scripts/export_onnx.py --model base       # the bundled MiniLM -> models/all-MiniLM-L6-v2-onnx

The check texts are the evaluation texts: a fixed sample of JobBERT validation titles and chunks of
synthetic ~300-word CVs (the texts the service encodes). The export counts (export.json is written)
only if every text's vector has cosine >= --min-cosine with the torch backend's.

int8 (--int8 auto, the default): the weights are also quantised to int8, and both files rank all
ESCO occupations for every JobBERT validation title (the MRR of scripts/evaluate.py, preferred
label). The service is pointed at int8 only if it costs less than --max-mrr-drop (1 MRR point);
without the validation data it stays on fp32. --int8 yes serves int8 without evaluating, --int8 no
keeps fp32.
"""

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.encoder.factory import DEFAULT_MODEL, onnx_dir  # noqa: E402
from app.encoder.onnx_export import export_onnx, quantize_int8, serve_file  # noqa: E402
from app.encoder.onnx_runtime import MODEL_FILE, OnnxEncoder  # noqa: E402
from app.encoder.texts import candidate_text, chunk_words  # noqa: E402
from app.training.data import load_validation_titles  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FALLBACK_TEXTS = [
    "Senior Python developer",
    "Registered nurse, intensive care",
    "Lkw-Fahrer (m/w/d) CE",
    "a long text " * 200,
]


def check_texts(titles_path: Path, n_titles: int, n_cvs: int) -> list[str]:
    texts = list(FALLBACK_TEXTS)
    if titles_path.exists():
        titles = [t for t, _ in load_validation_titles(titles_path)]
        texts += random.Random(0).sample(titles, min(n_titles, len(titles)))
    if n_cvs and (SHARED / "esco").exists():
        from synthetic import make_cvs

        for cv in make_cvs(n_cvs):
            texts += chunk_words(*candidate_text(cv), 150, 8)
    return texts


def validation_mrr(export: Path, model_file: str, titles: Path) -> float:
    from evaluate import SHARED as DATA
    from evaluate import load

    from app.training.evaluate import gold_ranks, rank_report

    occs, pairs, _ = load(DATA / "esco" / "occupations_en.csv", titles, None)
    enc = OnnxEncoder(export, model_file=model_file)
    q, targets = enc.encode([t for t, _ in pairs]), enc.encode([o.label for o in occs])
    return rank_report(gold_ranks(q @ targets.T, np.array([g for _, g in pairs]))).mrr


def choose_int8(out: Path, mode: str, titles: Path, max_drop: float) -> dict:
    if mode == "no":
        return serve_file(out, MODEL_FILE, {"served": False, "why": "--int8 no"})
    int8 = quantize_int8(out)
    if mode == "yes":
        return serve_file(out, int8, {"served": True, "why": "--int8 yes (not evaluated)"})
    if not titles.exists() or not (SHARED / "esco").exists():
        return serve_file(out, MODEL_FILE, {"served": False, "why": f"no validation data at {titles}"})
    fp32_mrr, int8_mrr = validation_mrr(out, MODEL_FILE, titles), validation_mrr(out, int8, titles)
    served = fp32_mrr - int8_mrr < max_drop
    print(
        f"validation MRR (preferred label): fp32 {fp32_mrr:.4f}, int8 {int8_mrr:.4f} -> serving "
        f"{'int8' if served else 'fp32'} (allowed drop {max_drop})"
    )
    return serve_file(
        out,
        int8 if served else MODEL_FILE,
        {
            "served": served,
            "mrr_fp32": round(fp32_mrr, 4),
            "mrr_int8": round(int8_mrr, 4),
            "max_drop": max_drop,
            "why": "validation MRR",
        },
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="artifact folder, or 'base' for the bundled MiniLM")
    ap.add_argument("--out", type=Path, default=None, help="default: the model's onnx/ folder")
    ap.add_argument("--titles", type=Path, default=SHARED / "jobbert_validation" / "titles.csv")
    ap.add_argument("--check-titles", type=int, default=2000)
    ap.add_argument("--check-cvs", type=int, default=100)
    ap.add_argument("--min-cosine", type=float, default=0.9999)
    ap.add_argument("--int8", choices=["auto", "yes", "no"], default="auto")
    ap.add_argument("--max-mrr-drop", type=float, default=0.01)
    args = ap.parse_args()

    model = None if args.model == "base" else Path(args.model)
    out = args.out or onnx_dir(model)
    texts = check_texts(args.titles, args.check_titles, args.check_cvs)
    meta = export_onnx(model, out, texts, args.min_cosine)
    c = meta["check"]
    print(
        f"exported {meta['name']}@{meta['version']} to {out} in {meta['seconds']} s; "
        f"{c['texts']} check texts: min cosine {c['min_cosine']:.6f}, mean {c['mean_cosine']:.6f}"
    )
    meta = choose_int8(out, args.int8, args.titles, args.max_mrr_drop)
    print(f"serving {meta['model_file']} ({meta['int8']['why']})")


if __name__ == "__main__":
    main()
