"""Import file formats: row numbers a person can find, clear cell errors, resuming by skipping."""

import pytest

from app.errors import InvalidInput
from app.ingest.formats import UnsupportedFormat, check_file, count_rows, csv_record, detect_format, read_rows
from tests.fixtures.cv_files import make_pdf, make_zip


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_ndjson_rows_are_line_numbers_and_blank_lines_are_not_records(tmp_path):
    path = write(tmp_path, "a.ndjson", b'{"name": "a"}\n\n{oops\n{"name": "c", "external_id": "c1"}\n')
    rows = list(read_rows(path, "ndjson"))
    assert [(r.row, r.external_id, r.error is None) for r in rows] == [
        (1, None, True),
        (3, None, False),
        (4, "c1", True),
    ]
    assert count_rows(path, "ndjson") == 3
    assert [r.row for r in read_rows(path, "ndjson", skip=2)] == [4]


def test_csv_rows_are_spreadsheet_rows(tmp_path):
    path = write(tmp_path, "a.csv", '\ufeffname,cv_text\nAnna,"two\nlines"\nBen,x\n'.encode())
    check_file(path, "csv")  # a BOM from Excel is fine
    rows = list(read_rows(path, "csv"))
    assert [r.item["name"] for r in rows] == ["Anna", "Ben"] and rows[0].item["cv_text"] == "two\nlines"
    assert count_rows(path, "csv") == 2


def test_csv_cells_are_typed_and_wrong_cells_named():
    doc = csv_record({"external_id": "x", "skills": "a; b;", "remote": "No", "lat": "48.1", "languages": "EN:c1"})
    assert doc == {
        "external_id": "x",
        "skills": ["a", "b"],
        "remote": False,
        "location": {"lat": 48.1},
        "languages": {"en": "C1"},
    }
    with pytest.raises(ValueError, match="years_experience: '1,000' is not a number"):
        csv_record({"years_experience": "1,000"})
    with pytest.raises(ValueError, match="should look like en:C1"):
        csv_record({"languages": "english"})
    with pytest.raises(ValueError, match="3 cells but the header names 2"):
        csv_record({"name": "a", "cv_text": "b", None: ["c"]})


def test_zip_entries_skip_folders_and_mac_metadata(tmp_path):
    path = write(
        tmp_path,
        "a.zip",
        make_zip({"x/a.pdf": make_pdf(["Nurse"]), "x/.DS_Store": b"", "__MACOSX/x/._a.pdf": b"", "x/b.txt": b"Welder"}),
    )
    rows = list(read_rows(path, "zip"))
    assert [(r.row, r.external_id, r.item["cv_text"]) for r in rows] == [
        (1, "x/a.pdf", "Nurse"),
        (2, "x/b.txt", "Welder"),
    ]
    assert count_rows(path, "zip") == 2


def test_format_detection():
    assert detect_format("People.JSONL", None) == "ndjson" and detect_format("x.bin", "csv") == "csv"
    with pytest.raises(UnsupportedFormat):
        detect_format("people.xlsx", None)
    with pytest.raises(InvalidInput):
        detect_format("x.csv", "xml")


def test_an_unreadable_ndjson_line_is_a_row_error_and_its_neighbours_are_kept(tmp_path):
    huge = b'{"cv_text": "x", "years_experience": ' + b"9" * 5000 + b"}"
    deep = b'{"cv_text": "x", "metadata": ' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}"
    path = write(tmp_path, "a.ndjson", b'{"name": "a"}\n' + huge + b"\n" + deep + b'\n{"name": "d"}\n')
    rows = list(read_rows(path, "ndjson"))
    assert [(r.row, r.error is None) for r in rows] == [(1, True), (2, False), (3, False), (4, True)]
    assert "number too long" in rows[1].error and "nested too deep" in rows[2].error


def test_a_json_array_file_nested_too_deep_is_refused_clearly(tmp_path):
    path = write(tmp_path, "a.json", b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InvalidInput, match="nested too deep"):
        list(read_rows(path, "json"))


def test_a_docx_that_unpacks_past_its_budget_is_a_row_error_and_memory_stays_bounded(tmp_path):
    import io
    import zipfile

    from tests.fixtures.cv_files import make_docx

    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_docx(["Jane Doe, nurse"]))) as src,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in src.infolist():
            out.writestr(info, src.read(info))
        with out.open("word/media/filler.bin", "w") as fh:  # 51 MB of zeros: a few dozen KB packed
            for _ in range(51):
                fh.write(bytes(1 << 20))
    good = make_docx(["John Roe, welder"])
    path = write(tmp_path, "cvs.zip", make_zip({"bomb.docx": bomb.getvalue(), "good.docx": good}))
    rows = list(read_rows(path, "zip"))
    assert rows[0].error and "unpacks to more than 50 MB" in rows[0].error
    assert rows[1].error is None and "welder" in rows[1].item["cv_text"]


def test_utf16_text_files_are_read_not_turned_into_mojibake(tmp_path):
    from app.ingest.files import UnreadableFile, extract_text

    assert extract_text("a.txt", "José Müller, Köchin".encode("utf-16")) == "José Müller, Köchin"
    assert extract_text("a.txt", "José Müller, Köchin".encode("utf-16-le")) == "José Müller, Köchin"
    with pytest.raises(UnreadableFile, match="NUL"):
        extract_text("a.txt", b"abc\x00def")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig", "utf-16", "latin-1"])
def test_csv_in_the_encodings_spreadsheets_write_is_read_without_mojibake(tmp_path, encoding):
    text = "name,cv_text\nJosé Müller,Köchin – Großküche\nZoë,crème brûlée\n"
    if encoding == "latin-1":  # a byte Windows-1252 leaves undefined
        text = text.replace("–", "-") + "A\x81,x\n"
    path = write(tmp_path, "a.csv", text.encode(encoding))
    check_file(path, "csv")
    rows = list(read_rows(path, "csv"))
    assert rows[0].item == {
        "name": "José Müller",
        "cv_text": "Köchin – Großküche" if encoding != "latin-1" else "Köchin - Großküche",
    }
    assert rows[1].item["cv_text"] == "crème brûlée" and all("\ufffd" not in str(r.item) for r in rows)


def test_a_zip_entry_with_more_text_than_a_cv_may_hold_is_a_row_error(tmp_path):
    huge = ("word " * 30_000).encode()  # 150,000 characters: more than a CV text may hold
    path = write(tmp_path, "a.zip", make_zip({"a.txt": b"Welder", "b.txt": huge, "c.txt": b"Nurse"}))
    rows = list(read_rows(path, "zip"))
    assert [r.item["cv_text"] if r.item else None for r in rows] == ["Welder", None, "Nurse"]
    assert "b.txt: 149999 characters of text; a CV may have at most 100000" in rows[1].error  # stripped
