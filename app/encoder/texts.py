"""The one place that decides which words of a job or a CV are embedded."""

from typing import Any


def _head(title: str | None, skills: list[str] | None) -> str:
    parts = [title.strip()] if title and title.strip() else []
    if skills:
        parts.append("Skills: " + ", ".join(s.strip() for s in skills if s.strip()))
    return ". ".join(parts)


def job_text(doc: dict[str, Any]) -> tuple[str, str]:
    """(head, body) of a job: title and skills lead, the description follows."""
    return _head(doc.get("title"), doc.get("skills")), (doc.get("description") or "").strip()


def candidate_text(doc: dict[str, Any]) -> tuple[str, str]:
    """(head, body) of a candidate: desired title and skills lead, the CV text follows."""
    return _head(doc.get("desired_title"), doc.get("skills")), (doc.get("cv_text") or "").strip()


def job_title(doc: dict[str, Any]) -> str:
    """What names a job's occupation: its title."""
    return (doc.get("title") or "").strip()


def candidate_title(doc: dict[str, Any]) -> str:
    """What names a candidate's occupation: the desired title ("" without one)."""
    return (doc.get("desired_title") or "").strip()


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
