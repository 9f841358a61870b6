"""Import a file of candidates into a running jobmatch service, with a progress bar.

    jobmatch-import people.ndjson --url http://127.0.0.1:8000
    jobmatch-import cvs.zip --url https://jobmatch.example --api-key $KEY
    jobmatch-import --resume IMPORT_ID --url ...   # follow an import again

Formats: NDJSON (*.ndjson, *.jsonl), CSV with a header row (*.csv), a JSON array (*.json), or a ZIP
of CV files (PDF, DOCX, TXT). Uploads the file to POST /v1/imports, then polls the import and
prints its row errors at the end. Ctrl-C stops following, not the import; --cancel-on-interrupt
cancels it as well. Exit status: 0 done without row errors, 1 done with row errors, 2 failed or
cancelled.
"""

import argparse
import sys
import time
from pathlib import Path

import httpx
from tqdm import tqdm


def get_json(http: httpx.Client, path: str, attempts: int = 10) -> dict:
    """GET with retries: a kept-alive connection can be reset (a server restarting, a proxy in between)."""
    for attempt in range(attempts):
        try:
            return http.get(path).raise_for_status().json()
        except httpx.TransportError:
            if attempt == attempts - 1:
                raise
            time.sleep(3.0)
    raise ValueError("attempts must be at least 1")


def follow(http: httpx.Client, import_id: str, every: float) -> dict:
    state = get_json(http, f"/v1/imports/{import_id}")
    with tqdm(total=state["total"], unit="row", desc=state["filename"], dynamic_ncols=True) as bar:
        while True:
            if state["total"] is not None and bar.total != state["total"]:
                bar.total = state["total"]
            bar.update(state["processed"] - bar.n)
            bar.set_postfix(stored=state["stored"], failed=state["failed"], status=state["status"])
            if state["status"] not in ("queued", "running"):
                return state
            time.sleep(every)
            state = get_json(http, f"/v1/imports/{import_id}")


def print_errors(http: httpx.Client, state: dict, limit: int) -> None:
    if not state["failed"]:
        return
    errors = http.get(f"/v1/imports/{state['id']}/errors", params={"limit": min(limit, 1000)}).json()["items"]
    print(f"{state['failed']} row(s) rejected; the first {len(errors)}:", file=sys.stderr)
    for e in errors:
        print(
            f"  row {e['row']}" + (f" ({e['external_id']})" if e["external_id"] else "") + f": {e['message']}",
            file=sys.stderr,
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path, nargs="?")
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--api-key", default=None)
    ap.add_argument(
        "--format", choices=["ndjson", "csv", "json", "zip"], default=None, help="when the file name does not tell"
    )
    ap.add_argument("--resume", metavar="IMPORT_ID", help="follow an existing import instead of uploading")
    ap.add_argument("--every", type=float, default=1.0, help="seconds between polls")
    ap.add_argument("--show-errors", type=int, default=20)
    ap.add_argument("--cancel-on-interrupt", action="store_true")
    args = ap.parse_args()
    if not args.file and not args.resume:
        ap.error("give a FILE to import, or --resume IMPORT_ID")

    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    with httpx.Client(base_url=args.url, headers=headers, timeout=httpx.Timeout(30, write=None)) as http:
        if args.resume:
            import_id = args.resume
        else:
            with args.file.open("rb") as fh:
                r = http.post(
                    "/v1/imports",
                    files={"file": (args.file.name, fh)},
                    data={"format": args.format} if args.format else None,
                )
            if r.status_code != 202:
                print(f"upload refused ({r.status_code}): {r.json()['error']['message']}", file=sys.stderr)
                return 2
            import_id = r.json()["id"]
            print(f"import {import_id} accepted; follow it again with --resume {import_id}")
        try:
            state = follow(http, import_id, args.every)
        except KeyboardInterrupt:
            if args.cancel_on_interrupt:
                http.delete(f"/v1/imports/{import_id}")
                print(f"\nimport {import_id} cancelled", file=sys.stderr)
            else:
                print(f"\nstopped following; the import goes on (--resume {import_id})", file=sys.stderr)
            return 2
        print(
            f"{state['status']}: {state['stored']} stored, {state['failed']} rejected of {state['total']}"
            + (f" ({state['message']})" if state["message"] else "")
        )
        print_errors(http, state, args.show_errors)
        if state["status"] != "done":
            return 2
        return 1 if state["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
