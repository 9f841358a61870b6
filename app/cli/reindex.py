"""Re-embed everything stored by another model with the configured one, keeping ids and documents.

    JOBMATCH_DATA_DIR=./data .venv/bin/jobmatch-reindex

Run it with the service stopped (the embedded store belongs to one process) after changing the model.
Until then the service serves only what the current model embedded (it never ranks vectors of two
models together) and reports the rest as `stale_vectors` in /ready. Interrupted, it resumes where it stopped.
"""

import argparse
import logging

from app.domain import Kind
from app.services import Services
from app.settings import Settings


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", force=True)
    with Services.build(Settings()) as services:
        print(f"model {services.encoder.model_id}")
        # occupations first: records are tagged with occupations, rules may point at them
        print(f"occupations re-embedded: {services.occupations.reembed_stale()}")
        print(f"rules re-embedded: {services.rules.reembed_stale()}")
        for kind in Kind:
            print(f"{kind.value} re-embedded: {services.records.reembed_stale(kind)}")


if __name__ == "__main__":
    main()
