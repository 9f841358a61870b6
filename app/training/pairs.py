"""Training batches from an occupation ontology: no manual labels.

Each occupation's labels (preferred, alternative, hidden) and description belong together. A batch
holds B distinct occupations; each contributes one (anchor, target) pair:
- anchor: one of its labels (optionally made noisy like a real vacancy title) or its description;
- target: its preferred label (what the service ranks) or, with `target="any"`, any of its labels.
Occupations that share a label are *linked*: in a batch they are never each other's negatives.
"""

import random
from dataclasses import dataclass

import torch

from app.training.data import OntologyOccupation

PREFIXES = [
    "Senior",
    "Junior",
    "Lead",
    "Trainee",
    "Internship",
    "Intern",
    "Assistant",
    "Head of",
    "Experienced",
    "Graduate",
    "Apprentice",
    "Chief",
    "Principal",
    "Associate",
    "Part Time",
    "Temporary",
    "Urgent!",
]
SUFFIXES = [
    "(m/f/d)",
    "(m/w/d)",
    "(f/m/x)",
    "- Full Time",
    "- Part Time",
    "- Remote",
    "- Immediate Start",
    "(Maternity Cover)",
    "- Contract",
    "II",
    "Level 2",
    "- Night Shift",
    "(Entry Level)",
    "(Salary up to 4k)",
    "- Competitive Salary",
    "(English Speaker)",
    "(Mandarin Speaker)",
    "- Hiring Now",
    "| Permanent",
    "(Fresh Graduates Welcome)",
    "- 6 months contract",
]
PLACES = [
    "London",
    "Berlin",
    "Kuala Lumpur",
    "Singapore",
    "Penang",
    "Manchester",
    "Munich",
    "Selangor",
    "Dubai",
    "Johor Bahru",
    "Paris",
    "Amsterdam",
    "Head Office",
    "City Centre",
    "@ Mall",
    "HQ",
]
SEPARATORS = [" - ", " / ", " | ", ", ", " @ "]


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def augment_title(text: str, rng: random.Random) -> str:
    """Make a clean label look like a real vacancy title: seniority, gender tags, places, contract
    and salary words, separators, casing and the odd typo. Each edit is applied independently."""
    if rng.random() < 0.35:
        text = f"{rng.choice(PREFIXES)} {text}"
    if rng.random() < 0.3:
        text = f"{text} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.2:
        text = f"{text}{rng.choice(SEPARATORS)}{rng.choice(PLACES)}"
    if rng.random() < 0.1:
        text = _typo(text, rng)
    r = rng.random()
    if r < 0.2:
        text = text.upper()
    elif r < 0.45:
        text = text.title()
    return text


@dataclass
class Batch:
    anchors: list[str]
    targets: list[str]
    labels: torch.Tensor  # (B,) occupation index
    groups: torch.Tensor  # (B,) ISCO unit group
    linked: torch.Tensor  # (B, B) bool: pairs that must not be negatives (shared labels)


class PairSampler:
    """Deterministic for a seed."""

    def __init__(
        self,
        occupations: list[OntologyOccupation],
        batch_size: int,
        aug_prob: float = 0.5,
        desc_prob: float = 0.1,
        target: str = "pref",
        seed: int = 0,
    ):
        if batch_size > len(occupations):
            raise ValueError(f"batch_size {batch_size} exceeds the {len(occupations)} occupations")
        if target not in ("pref", "any"):
            raise ValueError("target must be 'pref' or 'any'")
        self.occs = occupations
        self.batch_size = batch_size
        self.aug_prob = aug_prob
        self.desc_prob = desc_prob
        self.target = target
        self.rng = random.Random(seed)
        self.groups = torch.tensor([int(o.group) if o.group.isdigit() else -1 - i for i, o in enumerate(occupations)])
        self.links = shared_label_links(occupations)

    def __iter__(self):
        while True:
            yield self.next()

    def next(self) -> Batch:
        idx = self.rng.sample(range(len(self.occs)), self.batch_size)
        anchors, targets = [], []
        for i in idx:
            occ = self.occs[i]
            if occ.description and self.rng.random() < self.desc_prob:
                anchor = occ.description
            else:
                anchor = self.rng.choice(occ.labels)
                if self.rng.random() < self.aug_prob:
                    anchor = augment_title(anchor, self.rng)
            anchors.append(anchor)
            targets.append(occ.label if self.target == "pref" else self.rng.choice(occ.labels))
        pos = {occ: k for k, occ in enumerate(idx)}
        linked = torch.zeros(len(idx), len(idx), dtype=torch.bool)
        for k, i in enumerate(idx):
            for j in self.links.get(i, ()):
                if j in pos:
                    linked[k, pos[j]] = True
        labels = torch.tensor(idx)
        return Batch(anchors, targets, labels, self.groups[labels], linked)


def shared_label_links(occupations: list[OntologyOccupation]) -> dict[int, set[int]]:
    """Occupation index -> the other occupations that carry one of its labels."""
    owners: dict[str, set[int]] = {}
    for i, occ in enumerate(occupations):
        for lab in occ.labels:
            owners.setdefault(lab.lower(), set()).add(i)
    links: dict[int, set[int]] = {}
    for group in owners.values():
        for i in group:
            if len(group) > 1:
                links.setdefault(i, set()).update(group - {i})
    return links
