"""Text out of CV files: PDF (pypdf), DOCX (python-docx) and plain text. No text found is an error,
never invented content; a scanned PDF (images only) needs OCR before it can be imported."""

import io
from pathlib import PurePosixPath

CV_SUFFIXES = (".pdf", ".docx", ".txt")


class UnreadableFile(ValueError):
    """The file gives no usable text; the message says why, for a person to act on."""


def extract_text(name: str, data: bytes) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in CV_SUFFIXES:
        raise UnreadableFile(f"unsupported file type {suffix or '(none)'!r}: CV files must be .pdf, .docx or .txt")
    try:
        text = {".pdf": _pdf, ".docx": _docx, ".txt": _txt}[suffix](data)
    except UnreadableFile:
        raise
    except Exception as exc:  # a broken or encrypted file: pypdf/python-docx raise many kinds
        raise UnreadableFile(f"could not read this {suffix[1:].upper()} file ({type(exc).__name__}: {exc})") from None
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if not text:
        hint = " (a scanned PDF holds images only: run OCR first)" if suffix == ".pdf" else ""
        raise UnreadableFile(f"no text found in this file{hint}")
    return text


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise UnreadableFile("the PDF is encrypted: export it without a password")
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:  # CV templates often lay out skills and dates in tables
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _txt(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("the text file is neither UTF-8 nor Windows-1252")
