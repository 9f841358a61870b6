"""Memory of a process and of the processes it started, sampled from another process.

A thread of the measured process cannot sample it while the embedded engine holds the GIL (an in-process
index build holds it for minutes), so `MemorySampler` runs `python -m app.bench.memory PID EVERY` beside
it: phase names go to the sampler's stdin, the peaks per phase come back as JSON when stdin closes.
"""

import json
import os
import select
import subprocess
import sys
from pathlib import Path


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now: `rss` (VmRSS) = `anon` (what the process itself holds) + the pages of mapped
    files it touched (which the kernel may drop, and which the engine's on-disk layouts read through);
    `pss` counts a page mapped twice (the engine's mapping and the store's warm-up) once, and a page shared
    with another process in part: what the process costs the machine."""
    fields = {"VmRSS:": "rss", "RssAnon:": "anon"}
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key = line.split(maxsplit=1)[0] if line else ""
        if key in fields:
            out[fields[key]] = int(line.split()[1]) / 1024
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss"] = int(line.split()[1]) / 1024
    except OSError:  # a kernel without smaps_rollup
        pass
    return out


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs (the service's index builds run in a child)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            out += children
            todo += children
    return out


def tree_mb(pid: int) -> dict[str, float]:
    """`memory_mb` of the process, and `tree_anon` / `tree_pss`: the same summed over it and its descendants
    (what the service and its index builder hold together)."""
    out = memory_mb(pid)
    tree = {"tree_anon": out.get("anon", 0.0), "tree_pss": out.get("pss", 0.0)}
    for child in descendants(pid):
        try:
            m = memory_mb(child)
        except OSError:  # ended meanwhile
            continue
        tree["tree_anon"] += m.get("anon", 0.0)
        tree["tree_pss"] += m.get("pss", 0.0)
    return {**out, **tree}


class MemorySampler:
    """Peaks of `tree_mb` per named phase, sampled every `every` seconds by a process of its own."""

    def __init__(self, pid: int, phase: str = "start", every: float = 1.0):
        self.pid, self.every, self.phase = pid, every, phase
        self.peaks: dict[str, dict[str, float]] = {}
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> "MemorySampler":
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "app.bench.memory", str(self.pid), str(self.every), self.phase],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def enter(self, phase: str) -> None:
        """Sample now, and count what follows to `phase`."""
        assert self._proc is not None and self._proc.stdin is not None
        self.phase = phase
        self._proc.stdin.write(phase + "\n")
        self._proc.stdin.flush()

    def __exit__(self, *exc) -> None:
        assert self._proc is not None
        out, _ = self._proc.communicate()
        self.peaks = json.loads(out or "{}")


def sample(pid: int, every: float, phase: str) -> dict[str, dict[str, float]]:
    """Sample `pid`'s tree until stdin closes; a line on stdin starts a phase (sampled at the switch)."""
    peaks: dict[str, dict[str, float]] = {}

    def take() -> None:
        try:
            now = tree_mb(pid)
        except OSError:  # the process ended
            return
        peak = peaks.setdefault(phase, {})
        for k, v in now.items():
            peak[k] = round(max(peak.get(k, 0.0), v))

    while True:
        take()
        ready, _, _ = select.select([sys.stdin], [], [], every)
        if ready:
            line = sys.stdin.readline()
            if not line:
                return peaks
            take()
            phase = line.strip()


if __name__ == "__main__":
    print(json.dumps(sample(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "start")))
    sys.stdout.flush()
    os._exit(0)
