"""The one place that decides which words of a job or a CV are embedded."""

from typing import Any

from app.domain import DocView, Kind


def _head(title: str | None, skills: list[str] | None) -> str:
    parts = [title.strip()] if title and title.strip() else []
    if skills:
        parts.append("Skills: " + ", ".join(s.strip() for s in skills if s.strip()))
    return ". ".join(parts)


def document_text(kind: Kind, doc: dict[str, Any]) -> tuple[str, str]:
    """(head, body): the title (a job's, a candidate's desired one) and skills lead, the free text follows."""
    view = DocView(kind, doc)
    return _head(view.title, view.skills), view.text


def job_text(doc: dict[str, Any]) -> tuple[str, str]:
    return document_text(Kind.JOB, doc)


def candidate_text(doc: dict[str, Any]) -> tuple[str, str]:
    return document_text(Kind.CANDIDATE, doc)


def job_title(doc: dict[str, Any]) -> str:
    """What names a job's occupation: its title."""
    return DocView(Kind.JOB, doc).title


def candidate_title(doc: dict[str, Any]) -> str:
    """What names a candidate's occupation: the desired title ("" without one)."""
    return DocView(Kind.CANDIDATE, doc).title


def chunk_words(head: str, body: str, words_per_chunk: int, max_chunks: int) -> list[str]:
    """Split `body` into word windows, each prefixed with `head` so every chunk keeps the context.

    A body that fits in one window gives exactly one text; past `max_chunks` the rest is dropped.
    """
    words = body.split()
    if len(words) <= words_per_chunk:
        return [" ".join(p for p in (head, body) if p) or head]
    chunks: list[str] = []
    for start in range(0, len(words), words_per_chunk):
        if len(chunks) == max_chunks:
            break
        piece = " ".join(words[start : start + words_per_chunk])
        chunks.append(f"{head}. {piece}" if head else piece)
    return chunks
