"""CSV exports, streamed row by row (a list of 100,000 cases never sits in memory),
with spreadsheet formula injection neutralized: a cell that a spreadsheet would read
as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with
an apostrophe, so it is shown as text."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM, so spreadsheets read the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([neutralize(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
