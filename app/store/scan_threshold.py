"""The embedded engine's full-scan threshold at search time, set apart from the one its indexes were built with.

Qdrant uses one threshold (`HnswConfig.full_scan_threshold`) for two things. When a segment's HNSW index
is built, each payload value held by more points than it gets graph links of its own, which filtered graph
searches walk. When a filtered search comes, a segment whose payload indexes estimate fewer passing points
than it scans them instead of walking the graph: the int8 copies held in RAM, the best rescored with the
originals (when the collection is quantized). Raised at build time, the threshold speeds up restrictive
filters but leaves mid-sized values without links, and broad filters that stay on the graph lose recall
(docs/scaling.md, "Scanning the int8 copies instead of exact search").

The engine keeps the search-time value, in points, in each built segment's `vector_index/hnsw_config.json`
and reads it when the shard loads. `set_scan_threshold` writes it there before the embedded store loads a
shard (on start, and after each index build): the links stay those of the build threshold, and filters
keeping up to `points` of a segment are scanned. Unset, it writes back the build's own value, so a restart
without the setting undoes it."""

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

KEY = "full_scan_threshold"
_FLOAT32 = 4  # bytes a dimension (the engine divides the threshold in KB by the vectors' size)


def built_threshold(segment: Path, vector: str) -> int | None:
    """The threshold, in points, that the engine wrote into `vector`'s index when it built the segment:
    the configured KB over the bytes of one float32 vector (None: not readable from `segment.json`)."""
    try:
        config = json.loads((segment / "segment.json").read_text())["config"]["vector_data"][vector]
        kb, size = config["index"]["options"][KEY], config["size"]
        return int(kb) * 1024 // (int(size) * _FLOAT32)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def set_scan_threshold(shard: Path, points: int | None) -> int:
    """Write the search-time full-scan threshold (points per segment; None: the build's) into every built
    dense index of the shard folder `shard`; returns how many index configurations were changed. A file
    that is not as expected is left alone (that segment keeps the threshold it was built with)."""
    changed = 0
    for config_file in sorted(shard.glob("segments/*/vector_index*/hnsw_config.json")):
        vector = config_file.parent.name.removeprefix("vector_index").removeprefix("-")
        try:
            config = json.loads(config_file.read_text())
        except (OSError, ValueError):
            log.warning("index configuration %s not readable: its full-scan threshold is left", config_file)
            continue
        wanted = points if points is not None else built_threshold(config_file.parent.parent, vector)
        if not isinstance(config, dict) or not isinstance(config.get(KEY), int) or wanted is None:
            log.warning("index configuration %s not as expected: its full-scan threshold is left", config_file)
            continue
        if config[KEY] == wanted:
            continue
        config[KEY] = wanted
        partial = config_file.with_suffix(".json.tmp")
        partial.write_text(json.dumps(config, separators=(",", ":")))
        os.replace(partial, config_file)
        changed += 1
    return changed
