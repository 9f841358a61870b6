"""The API's path templates, read once from the app's OpenAPI document: which template a request
path belongs to (metrics label it by template, so ids do not make a series each) and which methods
it has (the `Allow` header of a 405)."""

import re
from typing import Any


def _table(app: Any) -> list[tuple[re.Pattern, int, str, set[str]]]:
    table = getattr(app.state, "path_templates", None)
    if table is None:
        table = [
            (
                re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"),
                sum(not part.startswith("{") for part in path.split("/")),
                path,
                {m.upper() for m in ops},
            )
            for path, ops in app.openapi().get("paths", {}).items()
        ]
        app.state.path_templates = table
    return table


def template_of(app: Any, path: str) -> tuple[str | None, set[str]]:
    """(template, its methods) of a request path; a literal path wins over a template that also matches
    it (/v1/jobs/bulk is its own path, not a job id). (None, set()) when no template matches."""
    matching = [(literal, template, methods) for rx, literal, template, methods in _table(app) if rx.match(path)]
    if not matching:
        return None, set()
    best = max(literal for literal, _, _ in matching)
    chosen = [(template, methods) for literal, template, methods in matching if literal == best]
    return chosen[0][0], set().union(*(methods for _, methods in chosen))


def operation_id(route: Any) -> str:
    """Readable operation ids for generated clients: `jobs_create`, `candidates_match_jobs`,
    `imports_errors`: the route's tag, then its function name without the resource's own word."""
    tag = route.tags[0] if route.tags else "api"
    own = {tag, tag.rstrip("s"), tag[:-3] + "y" if tag.endswith("ies") else tag}
    words = [w for w in route.name.split("_") if w not in own] or [route.name]
    return f"{tag}_{'_'.join(words)}"
