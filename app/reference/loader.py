"""Loading a reference set of occupations into the occupation index without blocking the service.

The set is loaded once per data folder and model: a marker file remembers what was loaded, so a
restart does not load it again; an interrupted load starts over on the next start (loading is
idempotent by each occupation's external_id, its ESCO URI). Encoding runs as bulk work, behind
requests.
"""

import hashlib
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from app.encoder.priority import bulk_work
from app.matching.occupations import COLLECTION, OccupationIndex
from app.reference import ESCO, ESCO_NAME
from app.training.data import OntologyOccupation, load_occupations

log = logging.getLogger("jobmatch.reference")
MARKER = "reference_occupations.json"


def occupation_doc(o: OntologyOccupation) -> dict[str, Any]:
    """The API document of an ontology occupation. ESCO's hidden labels (search terms: old names, common
    misspellings) go in with the alternative ones: normalisation should find them."""
    return {
        "external_id": o.uri,
        "label": o.label[:300],
        "alt_labels": [a[:300] for a in o.labels[1:501]],
        "description": o.description[:20_000],
        "code": o.code[:50] or None,
        "source": "esco",
    }


def resolve(source: str) -> tuple[str, Path] | None:
    """("esco" | "none" | a CSV path) -> (the set's name, its file), or None when switched off."""
    if source == "none":
        return None
    if source == "esco":
        return ESCO_NAME, ESCO
    path = Path(source)
    if not path.is_file():
        raise ValueError(f"JOBMATCH_REFERENCE_OCCUPATIONS: {source!r} is not esco, none or a CSV file")
    return f"{path.name}@{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}", path


class ReferenceLoader:
    """`start()` loads the set on a daemon thread unless the marker says it is there; `state()` is what
    /ready shows (queued, loading, indexing, done, failed, interrupted, off)."""

    def __init__(self, occupations: OccupationIndex, source: str, data_dir: Path, batch: int = 50):
        self.occupations = occupations
        self.resolved = resolve(source)
        self.marker = Path(data_dir) / MARKER
        self.batch = batch
        self._state: dict[str, Any] = {
            "set": self.resolved[0] if self.resolved else None,
            "status": "off" if self.resolved is None else "queued",
            "loaded": 0,
            "total": None,
        }
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def state(self) -> dict[str, Any]:
        return dict(self._state)

    def already_loaded(self) -> bool:
        if self.resolved is None or not self.marker.exists():
            return False
        seen = json.loads(self.marker.read_text())
        return seen.get("set") == self.resolved[0] and seen.get("model") == self.occupations.model_id

    def start(self) -> None:
        if self.resolved is None:
            return
        if self.already_loaded():
            count = json.loads(self.marker.read_text()).get("count")
            self._state.update(status="done", loaded=count, total=count)
            return
        self._thread = threading.Thread(target=self._run, name="reference-occupations", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait(self, timeout: float = 600.0) -> dict[str, Any]:
        """Block until the load ends (scripts and tests); returns the state."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.state()

    def _run(self) -> None:
        assert self.resolved is not None  # start() runs this only for a resolved source
        name, path = self.resolved
        try:
            occs = load_occupations(path)
            self._state.update(status="loading", total=len(occs))
            started = time.perf_counter()
            store = self.occupations.store
            with bulk_work(), store.bulk_load(COLLECTION):  # one index build at the end, not one per 2,000 points
                for i in range(0, len(occs), self.batch):
                    if self._stop.is_set():
                        self._state["status"] = "interrupted"
                        return
                    self.occupations.put_many([occupation_doc(o) for o in occs[i : i + self.batch]])
                    self._state["loaded"] = min(i + self.batch, len(occs))
            self._state["status"] = "indexing"
            store.wait_idle()
            self.marker.write_text(
                json.dumps({"set": name, "model": self.occupations.model_id, "count": len(occs)}) + "\n"
            )
            self._state["status"] = "done"
            log.info("reference occupations %s loaded: %d in %.0f s", name, len(occs), time.perf_counter() - started)
        except Exception as exc:  # a broken set must not take the service down: /ready says what happened
            log.exception("loading reference occupations %s failed", name)
            self._state.update(status="failed", message=str(exc)[:500])
