"""Re-embed everything stored by another model with the configured one, keeping ids and documents.

    JOBMATCH_DATA_DIR=./data .venv/bin/python scripts/reindex.py

Run it with the service stopped (the embedded store belongs to one process) after changing the model.
Until then the service serves only what the current model embedded (it never ranks vectors of two
models together) and reports the rest as `stale_vectors` in /ready. Interrupted, it resumes where it stopped.
"""

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.domain import Kind  # noqa: E402
from app.encoder.factory import build_encoder  # noqa: E402
from app.matching.normalize import Normalizer  # noqa: E402
from app.matching.occupations import OccupationIndex  # noqa: E402
from app.matching.records import Records  # noqa: E402
from app.matching.rules import RuleBook  # noqa: E402
from app.matching.scorer import MatchScorer  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store import open_store  # noqa: E402


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    settings = Settings()
    encoder = build_encoder(settings)
    store = open_store(settings)
    model_id = f"{encoder.name}@{encoder.version}"
    scorer = MatchScorer.for_encoder(encoder)
    occupations = OccupationIndex(encoder, store, model_id, weights=scorer.ranking)
    rules = RuleBook(store, encoder.dim, model_id)
    records = Records(encoder, store, scorer, Normalizer(encoder, occupations, rules, scorer))
    try:
        for part in (records, occupations, rules):
            part.open()
        print(f"model {model_id}")
        # occupations first: records are tagged with occupations, rules may point at them
        print(f"occupations re-embedded: {occupations.reembed_stale()}")

        def anchor(a: dict):
            return occupations.vector_of(a["occupation_id"]) if a.get("occupation_id") else encoder.encode([a["text"]])[0]
        print(f"rules re-embedded: {rules.reembed_stale(anchor)}")
        for kind in Kind:
            print(f"{kind.value} re-embedded: {records.reembed_stale(kind)}")
    finally:
        store.close()


if __name__ == "__main__":
    main()
