"""How much of a store's files stays in the OS page cache while nothing reads them: files mapped and
faulted in as the embedded store's warm-up does (`app/store/edge.py`, `_touch_pages`, mappings held)
against files only read once (the warm-up before commit 8d7e6fc).

    .venv/bin/python scripts/bench_page_cache.py --folder <kept store>/collections/candidates --minutes 4

The files (largest first, up to --mb of them) are dealt out to the two ways by turns, so both get the
same kinds of file. Residency is read with `fincore` (util-linux) every 30 s. On a kernel that reclaims
idle page cache (DAMON reclaim, as on the development VM) the read-only half drains away and the mapped
half stays; on a kernel that does not, both stay (and the figures say so).
"""

import argparse
import subprocess
import time
from pathlib import Path

from app.bench.serving import cpu_name
from app.store.edge import _release, _touch_pages


def resident_mb(files: list[Path]) -> float:
    out = subprocess.run(
        ["fincore", "--bytes", "--noheadings", "--output", "RES", *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sum(int(x) for x in out) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, required=True, help="a store's (or one collection's) folder")
    ap.add_argument("--mb", type=int, default=1000, help="bytes of files to use, in MB (split between the two ways)")
    ap.add_argument("--minutes", type=float, default=4.0)
    args = ap.parse_args()
    files = sorted((f for f in args.folder.rglob("*") if f.is_file()), key=lambda f: -f.stat().st_size)
    chosen, total = [], 0
    for f in files:
        if total >= args.mb * 2**20:
            break
        chosen.append(f)
        total += f.stat().st_size
    mapped_files, read_files = chosen[0::2], chosen[1::2]
    held = []
    for f in mapped_files:
        m, _ = _touch_pages(f, 1 << 40)
        if m is not None:
            held.append(m)
    for f in read_files:
        with f.open("rb", buffering=0) as fh:
            while fh.read(1 << 24):
                pass
    print(f"CPU: {cpu_name()}; {len(mapped_files)} files mapped, {len(read_files)} read once")
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        print(
            f"t+{elapsed:4.0f} s  mapped and held: {resident_mb(mapped_files):7.0f} MB cached of "
            f"{sum(f.stat().st_size for f in mapped_files) / 2**20:,.0f}; read once: "
            f"{resident_mb(read_files):7.0f} MB of {sum(f.stat().st_size for f in read_files) / 2**20:,.0f}",
            flush=True,
        )
        if elapsed >= args.minutes * 60:
            break
        time.sleep(30)
    _release(held)


if __name__ == "__main__":
    main()
