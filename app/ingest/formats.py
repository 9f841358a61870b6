"""Import files, record by record: NDJSON, CSV, a JSON array, or a ZIP of CV files.

Every format yields `Row`s in file order. `row` is what a person finds the record by: the line
number in NDJSON, the spreadsheet row in CSV (the header is row 1), the position in a JSON array,
the entry number in a ZIP (whose file name becomes the candidate's external_id). Reading can start
after the first `skip` records, which is how an interrupted import resumes."""

import codecs
import csv
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app.domain import MAX_TEXT
from app.errors import InvalidInput, UnsupportedFormat
from app.ingest.files import CV_SUFFIXES, UnreadableFile, extract_text, read_bounded

FORMATS = ("ndjson", "csv", "json", "zip")
SUFFIXES = {".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv", ".json": "json", ".zip": "zip"}
MAX_CV_FILE_BYTES = 20 * 1024 * 1024

# CSV: one column per field; lists are ';'-separated, languages as "en:C1;de:B2", booleans true/false.
CSV_TEXT = ("external_id", "name", "desired_title", "cv_text", "email", "phone")
CSV_LISTS = ("skills",)
CSV_BOOLS = ("remote", "willing_to_relocate")
CSV_NUMBERS = ("years_experience",)
CSV_LOCATION = {"city": str, "country": str, "lat": float, "lon": float}
CSV_SALARY = {"salary_min": ("min", float), "salary_max": ("max", float), "salary_currency": ("currency", str)}
CSV_COLUMNS = (*CSV_TEXT, *CSV_LISTS, *CSV_BOOLS, *CSV_NUMBERS, "languages", *CSV_LOCATION, *CSV_SALARY)
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}


@dataclass(frozen=True)
class Row:
    row: int
    item: dict[str, Any] | None  # the raw record, or None when `error` says why there is none
    error: str | None = None
    external_id: str | None = None


def detect_format(filename: str | None, declared: str | None) -> str:
    if declared:
        if declared not in FORMATS:
            raise InvalidInput(f"format must be one of {', '.join(FORMATS)}; got {declared!r}.")
        return declared
    fmt = SUFFIXES.get(PurePosixPath(filename or "").suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(
            f"Cannot tell the format of {filename!r}: name the file *.ndjson, *.jsonl, *.csv, "
            "*.json or *.zip, or send a form field format=ndjson|csv|json|zip."
        )
    return fmt


def check_file(path: Path, fmt: str) -> None:
    """Cheap checks before an import is accepted, so a wrong file fails at once, not in the background."""
    if fmt == "zip" and not zipfile.is_zipfile(path):
        raise InvalidInput("The file is not a ZIP archive.")
    if fmt == "csv":
        encoding = csv_encoding(path)
        with path.open(newline="", encoding=encoding) as fh:
            header = next(csv.reader(fh, delimiter=csv_delimiter(path, encoding)), None)
        if not header or not any(c.strip() for c in header):
            raise InvalidInput(f"The CSV file has no header row. Columns: {', '.join(CSV_COLUMNS)}.")
        if not any(c.strip() in CSV_COLUMNS for c in header):
            raise InvalidInput(
                f"No column of the CSV header is one the service reads ({', '.join(CSV_COLUMNS)}); "
                "other columns are kept under metadata.",
                {"header": header[:50]},
            )
    if fmt == "json":
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith(b"["):
            raise InvalidInput("A .json import must be one JSON array of candidates (or use NDJSON).")


def count_rows(path: Path, fmt: str) -> int:
    if fmt == "zip":
        with zipfile.ZipFile(path) as zf:
            return sum(1 for info in zf.infolist() if _is_cv_entry(info))
    if fmt == "json":
        return len(_json_array(path))
    return sum(1 for _ in read_rows(path, fmt, parse=False))


def read_rows(path: Path, fmt: str, skip: int = 0, parse: bool = True) -> Iterator[Row]:
    """Records after the first `skip`; with parse=False only their positions (for counting)."""
    reader = {"ndjson": _ndjson, "csv": _csv, "json": _json, "zip": _zip}[fmt]
    for i, row in enumerate(reader(path, parse)):
        if i >= skip:
            yield row


def _ndjson(path: Path, parse: bool) -> Iterator[Row]:
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            if not parse:
                yield Row(lineno, None)
                continue
            try:
                item = json.loads(line)
            except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested past the stack, huge integer
                yield Row(lineno, None, f"line {lineno} is not valid JSON: {getattr(exc, 'msg', None) or _why(exc)}")
                continue
            yield Row(lineno, item, external_id=_external_id(item))


def _why(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "it is nested too deep"
    return str(exc) if isinstance(exc, UnicodeDecodeError) else "it holds a number too long to read"


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without Excel's BOM) when every byte of the file decodes as UTF-8; UTF-16 when it
    starts with its byte-order mark; else Windows-1252 (Excel's "CSV" on Western systems), or Latin-1
    for the five bytes Windows-1252 leaves undefined. Never decodes with replacement characters."""
    with path.open("rb") as fh:
        if fh.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        undefined = set(b"\x81\x8d\x8f\x90\x9d")
        while chunk := fh.read(1 << 20):
            if undefined & set(chunk):
                return "latin-1"
    return "cp1252"


def _csv(path: Path, parse: bool) -> Iterator[Row]:
    csv.field_size_limit(16 * 1024 * 1024)
    encoding = csv_encoding(path)
    with path.open(newline="", encoding=encoding) as fh:
        reader = csv.DictReader(fh, delimiter=csv_delimiter(path, encoding))
        for record in reader:
            row = reader.line_num  # the spreadsheet row (header = 1); a quoted multi-line cell counts its lines
            if not parse:
                yield Row(row, None)
                continue
            try:
                item = csv_record(record)
            except ValueError as exc:
                yield Row(row, None, str(exc), (record.get("external_id") or "").strip() or None)
                continue
            yield Row(row, item, external_id=item.get("external_id"))


def csv_record(record: dict[str, str | None]) -> dict[str, Any]:
    """One CSV row as a candidate document; empty cells are left out. ValueError says which cell is wrong."""
    if None in record:
        raise ValueError(
            f"the row has {len(record[None]) + len(record) - 1} cells but the header names {len(record) - 1} columns"  # type: ignore[arg-type,index]  # DictReader keeps extra cells under None
        )
    cells = {k.strip(): (v or "").strip() for k, v in record.items()}
    doc: dict[str, Any] = {k: cells[k] for k in CSV_TEXT if cells.get(k)}
    for k in CSV_LISTS:
        if cells.get(k):
            doc[k] = [s.strip() for s in cells[k].split(";") if s.strip()]
    for k in CSV_BOOLS:
        if k in cells:
            if cells[k].lower() not in TRUE | FALSE:
                raise ValueError(f"column {k}: {cells[k]!r} is not true/false")
            doc[k] = cells[k].lower() in TRUE
    for k in CSV_NUMBERS:
        if cells.get(k):
            doc[k] = _number(k, cells[k])
    if cells.get("languages"):
        doc["languages"] = {}
        for part in filter(None, (p.strip() for p in cells["languages"].split(";"))):
            code, sep, level = part.partition(":")
            if not sep:
                raise ValueError(f"column languages: {part!r} should look like en:C1")
            doc["languages"][code.strip().lower()] = level.strip().upper()
    location = {k: (_number(k, cells[k]) if t is float else cells[k]) for k, t in CSV_LOCATION.items() if cells.get(k)}
    if location:
        doc["location"] = location
    salary = {f: (_number(k, cells[k]) if t is float else cells[k]) for k, (f, t) in CSV_SALARY.items() if cells.get(k)}
    if salary:
        doc["salary_expectation"] = salary
    extra = {k: v for k, v in cells.items() if k and k not in CSV_COLUMNS and v}
    if extra:  # columns the service does not read are kept with the record, not refused
        doc["metadata"] = extra
    return doc


def csv_delimiter(path: Path, encoding: str) -> str:
    """The header line's most frequent of comma, semicolon (Excel where the decimal mark is a comma) and
    tab; a comma when it has none of them (one column)."""
    with path.open(newline="", encoding=encoding) as fh:
        header = fh.readline()
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _number(column: str, cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise ValueError(
            f"column {column}: {cell!r} is not a number (write decimals with a dot, no thousands separators)"
        ) from None


def _json_array(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"The file is not valid JSON: {getattr(exc, 'msg', None) or _why(exc)}") from None
    if not isinstance(data, list):
        raise InvalidInput("A .json import must be one JSON array of candidates.")
    return data


def _json(path: Path, parse: bool) -> Iterator[Row]:
    for i, item in enumerate(_json_array(path), start=1):
        yield Row(i, item if parse else None, external_id=_external_id(item))


def _is_cv_entry(info: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(info.filename)
    return not info.is_dir() and not name.name.startswith(".") and "__MACOSX" not in name.parts


def _zip(path: Path, parse: bool) -> Iterator[Row]:
    with zipfile.ZipFile(path) as zf:
        entries = [info for info in zf.infolist() if _is_cv_entry(info)]
        for i, info in enumerate(entries, start=1):
            name = info.filename
            if not parse:
                yield Row(i, None, external_id=name)
            elif PurePosixPath(name).suffix.lower() not in CV_SUFFIXES:
                yield Row(i, None, f"{name}: unsupported file type: CV files must be .pdf, .docx or .txt", name)
            elif info.file_size > MAX_CV_FILE_BYTES:
                yield Row(
                    i,
                    None,
                    f"{name}: {info.file_size} bytes unpacked; a CV file may have at most {MAX_CV_FILE_BYTES}",
                    name,
                )
            else:
                try:
                    text = extract_text(name, read_bounded(zf, info, MAX_CV_FILE_BYTES))
                except (UnreadableFile, zipfile.BadZipFile, RuntimeError) as exc:
                    yield Row(i, None, f"{name}: {exc}", name)
                    continue
                if len(text) > MAX_TEXT:  # said here, so a batch never holds 64 huge texts at once
                    yield Row(
                        i, None, f"{name}: {len(text)} characters of text; a CV may have at most {MAX_TEXT}", name
                    )
                    continue
                yield Row(i, {"external_id": name, "cv_text": text}, external_id=name)


def _external_id(item: Any) -> str | None:
    ext = item.get("external_id") if isinstance(item, dict) else None
    return ext if isinstance(ext, str) else None
