"""Occupation ontologies as training groups, with no manual labels.

Reads ESCO's `occupations_en.csv` (and optionally `ISCOGroups_en.csv`), or any CSV with the columns
`id,label,alt_labels,description,group` (alt labels separated by newlines or `|`).
"""

import csv
import gzip
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

csv.field_size_limit(sys.maxsize)


@dataclass
class OntologyOccupation:
    uri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    hidden_labels: list[str] = field(default_factory=list)
    description: str = ""
    group: str = ""  # ISCO unit group code, e.g. "2512"
    code: str = ""

    @property
    def labels(self) -> list[str]:
        """Preferred label first, then alternatives, de-duplicated case-insensitively."""
        seen, out = set(), []
        for lab in [self.label, *self.alt_labels, *self.hidden_labels]:
            key = lab.strip().lower()
            if key and key not in seen:
                seen.add(key)
                out.append(lab.strip())
        return out


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    parts = cell.replace("|", "\n").split("\n")
    return [" ".join(p.split()) for p in parts if p.strip()]


def load_occupations(path: str | Path) -> list[OntologyOccupation]:
    """ESCO occupations CSV (gzipped or not) or the simple format (see module doc); rows without a label
    are skipped."""
    out = []
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        esco = "preferredLabel" in cols
        if not esco and not {"id", "label"} <= cols:
            raise ValueError(
                f"{path}: expected ESCO columns (conceptUri, preferredLabel, ...) "
                f"or id,label,alt_labels,description,group; got {sorted(cols)}"
            )
        for row in reader:
            if esco:
                occ = OntologyOccupation(
                    row["conceptUri"],
                    (row.get("preferredLabel") or "").strip(),
                    _split(row.get("altLabels")),
                    _split(row.get("hiddenLabels")),
                    " ".join((row.get("description") or "").split()),
                    (row.get("iscoGroup") or "").strip(),
                    (row.get("code") or "").strip(),
                )
            else:
                occ = OntologyOccupation(
                    row["id"],
                    (row.get("label") or "").strip(),
                    _split(row.get("alt_labels")),
                    [],
                    " ".join((row.get("description") or "").split()),
                    (row.get("group") or "").strip(),
                    (row.get("code") or "").strip(),
                )
            if occ.label:
                out.append(occ)
    return out


def shared_data(*parts: str) -> Path:
    """A path in the training and evaluation data: $JOBMATCH_SHARED_DATA, else `../shared/data` beside the
    repository. Scripts read it; the service never does."""
    root = os.environ.get("JOBMATCH_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data"
    return Path(root).joinpath(*parts)


def load_validation_titles(path: str | Path) -> list[tuple[str, str]]:
    """JobBERT validation: (vacancy title, ESCO concept URI). For evaluation only, never training."""
    with open(path, newline="", encoding="utf-8") as fh:
        return [
            (r["vacancyTitle"].strip(), r["conceptUri"].strip())
            for r in csv.DictReader(fh)
            if r.get("vacancyTitle", "").strip()
        ]
