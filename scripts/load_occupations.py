"""Load ESCO occupations (or the simple CSV format) into a running jobmatch service over HTTP.

The service loads the shipped ESCO set by itself on first start (JOBMATCH_REFERENCE_OCCUPATIONS); this
is for another set, or another version, into a service that is already running.

    .venv/bin/python scripts/load_occupations.py --esco ../shared/data/esco/occupations_en.csv \\
        [--url http://127.0.0.1:8000] [--api-key KEY]

Idempotent: each occupation's external_id is its ESCO URI, so loading again replaces, never doubles.
"""

import argparse
import sys
from pathlib import Path

import httpx
from tqdm import tqdm

from app.reference.loader import occupation_doc
from app.training.data import load_occupations


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--esco", type=Path, required=True)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--api-key", default=None)
    ap.add_argument("--batch", type=int, default=250)
    args = ap.parse_args()
    occs = load_occupations(args.esco)
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    failed = 0
    with (
        httpx.Client(base_url=args.url, headers=headers, timeout=600) as http,
        tqdm(total=len(occs), unit="occ", desc="occupations") as bar,
    ):
        for i in range(0, len(occs), args.batch):
            chunk = [occupation_doc(o) for o in occs[i : i + args.batch]]
            r = http.post("/v1/occupations/bulk", json=chunk)
            if r.status_code != 200:
                sys.exit(f"batch at {i} failed: {r.status_code} {r.text[:500]}")
            failed += r.json()["rejected"]
            bar.update(len(chunk))
    print(f"loaded {len(occs) - failed} occupations, {failed} rejected")


if __name__ == "__main__":
    main()
