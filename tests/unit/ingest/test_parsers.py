import pytest

from app.errors import InvalidInput
from app.ingest.parsers import LineError, parse_records


def test_json_array():
    assert parse_records(b'[{"a": 1}, {"a": 2}]', "application/json") == [{"a": 1}, {"a": 2}]


def test_ndjson_keeps_good_lines_and_marks_bad_ones():
    items = parse_records(b'{"a": 1}\n\n{bad\n{"a": 3}\n', "application/x-ndjson; charset=utf-8")
    assert items[0] == {"a": 1} and items[2] == {"a": 3}
    assert isinstance(items[1], LineError) and "line 3" in items[1].message


@pytest.mark.parametrize(
    "body,ctype,code",
    [
        (b"{bad", "application/json", "malformed_json"),
        (b'{"a": 1}', "application/json", "validation_error"),
        (b"\xff\xfe", "application/json", "validation_error"),
        (b"a,b", "text/csv", "validation_error"),
    ],
)
def test_bad_bodies_are_rejected_with_a_reason(body, ctype, code):
    with pytest.raises(InvalidInput) as exc:
        parse_records(body, ctype)
    assert exc.value.code == code and exc.value.message
