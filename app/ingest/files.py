"""Text out of CV files: PDF (pypdf), DOCX (python-docx) and plain text. No text found is an error,
never invented content; a scanned PDF (images only) needs OCR before it can be imported."""

import io
import zipfile
from pathlib import PurePosixPath

CV_SUFFIXES = (".pdf", ".docx", ".txt")
MAX_DOCX_UNPACKED = 50 * 1024 * 1024  # all parts of one DOCX, as actually inflated (declared sizes can lie)


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


def read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """An archive entry, inflated a megabyte at a time and refused past `limit` bytes: a zip bomb or an
    entry that lies about its size costs at most `limit` of memory."""
    out, size = [], 0
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise UnreadableFile(f"it unpacks to more than {limit // (1 << 20)} MB; a CV is never that large")
            out.append(chunk)
    return b"".join(out)


def _docx(data: bytes) -> str:
    import docx

    # a DOCX is itself a zip: inflate every part within a budget before python-docx reads them in full
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        budget = MAX_DOCX_UNPACKED
        try:
            for info in zf.infolist():
                budget -= len(read_bounded(zf, info, budget))
        except UnreadableFile:
            raise UnreadableFile(
                f"it unpacks to more than {MAX_DOCX_UNPACKED >> 20} MB; a CV is never that large"
            ) from None
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:  # CV templates often lay out skills and dates in tables
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _txt(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark (Notepad's "Unicode")
        return data.decode("utf-16")
    if data[1::2].count(0) > len(data) // 4:  # UTF-16 little-endian without a mark: every other byte is NUL
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise UnreadableFile("the text file holds NUL bytes: save it as UTF-8 text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("the text file is neither UTF-8 nor Windows-1252")
