"""Match latency of this checkout against another commit, on one kept embedded store, in alternating processes.

    .venv/bin/python scripts/bench_commits.py --folder <kept store, e.g. from bench_scale.py --keep> \
        --base <commit> [--layout int8-m32-seg-scan] [--search "ef 256 + pool terms <= 5%"] [--rounds 2]

For a change of code that no setting switches (bench_pool_terms.py compares a setting within one process).
The base commit is checked out in a temporary git worktree and put first on PYTHONPATH; each round runs one
child process per tree, the two in turns (base first in odd rounds), so both meet this machine's speed of
the same minutes. A child opens the kept store as a restarted service does (warm-up, bench_scale.py's
settings for the layout and search), then matches every bench job under each bench filter (the whole
matcher: `Matcher.for_record`, no query encoded) and prints its latencies and top 10s. Printed per filter:
match p50 of each tree over all rounds, their ratio, and the share of the top 10 both return.
The store is only read: both trees must accept its format.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from bench_scale import APART, LAYOUTS, SEARCHES, bench_jobs, filters, kept_settings  # noqa: E402


def child(folder: Path, layout: str, search: str) -> None:
    """Measure this process's `app` (whichever tree PYTHONPATH names) and print one JSON line."""
    import dataclasses

    import app
    from app.domain import Kind
    from app.services import Services

    docs = json.loads((folder.parent / "base.json").read_text())
    services = Services.build(kept_settings(folder, layout, warm_up=True))
    services.start()
    store, matcher = services.store, services.matcher
    while store.info()["collections"][Kind.CANDIDATE.value]["warm_up"] == "running":
        time.sleep(0.2)
    params = dict(SEARCHES[search])
    matcher.pool_terms.max_share = params.pop("match_pool_max_share", None)
    store.layout = dataclasses.replace(store.layout, **params)
    job_ids, _ = bench_jobs(services, folder)
    out: dict = {"app": str(Path(app.__file__).parent), "ms": {}, "top": {}}
    for name, flt in filters(docs).items():
        if name == APART:
            continue
        for jid in job_ids[:20]:  # warm-up
            matcher.for_record(Kind.JOB, jid, flt, 10, 0)
        out["ms"][name], out["top"][name] = [], []
        for jid in job_ids:
            t = time.perf_counter()
            page = matcher.for_record(Kind.JOB, jid, flt, 10, 0)
            out["ms"][name].append((time.perf_counter() - t) * 1000)
            out["top"][name].append([m.record.id for m in page.matches])
    services.close()
    print("RESULT " + json.dumps(out), flush=True)


def run_child(tree: Path, args) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--folder", str(args.folder)]
    cmd += ["--layout", args.layout, "--search", args.search]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"child for {tree} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT ") :])
    if Path(result["app"]).resolve() != (tree / "app").resolve():
        raise SystemExit(f"child for {tree} imported {result['app']}: PYTHONPATH did not win")
    return result


def share_built_models(tree: Path) -> None:
    """Link what this checkout built under models/ and git ignores (the ONNX export) into the other tree, so
    that both serve the same encoder backend."""
    built = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "models"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for rel in built:
        target = tree / rel.rstrip("/")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(ROOT / rel.rstrip("/"))


def main() -> None:
    from app.bench.serving import cpu_name

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, required=True, help="a kept store (its bench-jobs.json names the queries)")
    ap.add_argument("--base", help="the commit to compare this checkout with (required unless --child)")
    ap.add_argument("--layout", default="int8-m32-seg-scan", choices=sorted(LAYOUTS))
    ap.add_argument("--search", default="ef 256 + pool terms <= 5%", choices=sorted(SEARCHES))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.folder = args.folder.resolve()
    if args.child:
        child(args.folder, args.layout, args.search)
        return
    if not args.base:
        ap.error("--base is required")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "app"], cwd=ROOT, capture_output=True, text=True).stdout
    print(
        f"CPU: {cpu_name()}; {args.folder}, layout {args.layout}, search {args.search!r}; "
        f"this checkout {head.strip()}{' (app/ changed)' if dirty.strip() else ''} against {args.base}, "
        f"{args.rounds} rounds of one process each",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-base-") as tmp:
        base_tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(base_tree), args.base], cwd=ROOT, check=True)
        share_built_models(base_tree)
        try:
            runs: dict[str, list[dict]] = {"base": [], "this": []}
            for r in range(args.rounds):
                order = [("base", base_tree), ("this", ROOT)]
                for label, tree in order if r % 2 == 0 else order[::-1]:
                    started = time.perf_counter()
                    runs[label].append(run_child(tree, args))
                    print(f"  round {r + 1}: {label} measured in {time.perf_counter() - started:.0f} s", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, check=False)
    for name in runs["this"][0]["ms"]:
        p50 = {k: float(np.percentile([ms for run in v for ms in run["ms"][name]], 50)) for k, v in runs.items()}
        per_round = " ".join(
            f"{np.percentile(b['ms'][name], 50):.1f}/{np.percentile(t['ms'][name], 50):.1f}"
            for b, t in zip(runs["base"], runs["this"])
        )
        a, b = runs["base"][0]["top"][name], runs["this"][0]["top"][name]
        shared = np.mean([len(set(x) & set(y)) / max(1, len(x)) for x, y in zip(a, b)])
        print(
            f"  {name:32s} match p50 base {p50['base']:6.2f} ms  this {p50['this']:6.2f} ms  "
            f"ratio {p50['this'] / p50['base']:.2f}  (per round base/this: {per_round})  top 10 shared {shared:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
