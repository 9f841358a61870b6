"""A small, backend-neutral filter tree; each backend translates it with pure functions."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Match:
    """Exact match on a keyword. Booleans are stored as "true"/"false" keywords: qdrant-edge-py 0.9.0
    turns MatchValue(True) into the integer 1, which matches no boolean payload."""

    key: str
    value: str


@dataclass(frozen=True)
class MatchAny:
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Range:
    key: str
    gte: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class GeoRadius:
    key: str
    lat: float
    lon: float
    meters: float


@dataclass(frozen=True)
class IsEmpty:
    """The key is missing, null or an empty list (points written before the key existed)."""

    key: str


Condition = Match | MatchAny | Range | GeoRadius | IsEmpty


@dataclass
class Filter:
    """All of `must` hold, none of `must_not` does."""

    must: list[Condition] = field(default_factory=list)
    must_not: list[Condition] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.must or self.must_not)
