"""The records pages: the annual report (page, CSV, PDF), the statistics CSV and the
precedents, on the seeded year of tests/factories/records.py."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from cases.models import Principle
from tests.factories.language import colon, said, said_n, shown_to_client
from tests.factories.letters import pdf_text
from tests.factories.pages import section, squeezed, text_of
from tests.factories.records import seeded_year
from tests.factories.scenes import setup_board_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(staff):
    return seeded_year(staff)


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_annual_report_page_shows_the_figures_and_charts_with_their_tables(client, staff, year):
    client.force_login(staff)
    response = client.get(reverse("cases:annual_report"), {"year": "2025"})
    assert response.status_code == 200
    text = text_of(response)
    assert squeezed(said("Complaints received: %(n)s", n=7)) in text
    assert squeezed(said("Cases decided: %(n)s", n=6)) in text
    open_at_end = said(
        "Cases open at the end of the year (%(day)s): <strong>%(n)s</strong>.",
        day=shown_to_client(datetime.date(2025, 12, 31), "DATE_FORMAT"),
        n=2,
    )
    assert squeezed(re.sub(r"<[^>]+>", " ", open_at_end)) in text
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 4
    assert "<desc" in html and f"{said('Dismissed')}: 2" in html  # the chart says it in words
    assert said("The figures as a table") in html
    for case in (year.a, year.d, year.e):
        assert case.respondent.name not in html


def test_a_year_outside_the_records_is_refused_naming_the_years_there_are(client, staff, year):
    client.force_login(staff)
    response = client.get(reverse("cases:annual_report"), {"year": "1999"})
    assert response.status_code == 400
    assert squeezed(
        said(
            "There is no report for “%(asked)s”: the records cover %(first)s to %(last)s.",
            asked="1999",
            first=2024,
            last=2026,
        )
    ) in text_of(response)
    assert client.get(reverse("cases:annual_report_csv"), {"year": "x"}).status_code == 404


def test_the_annual_csv_is_streamed_for_the_board_too(client, board_member, year):
    Principle.objects.filter(number="5").update(title='=HYPERLINK("http://x")')
    client.force_login(board_member)
    response = client.get(reverse("cases:annual_report_csv"), {"year": "2025"})
    assert response.status_code == 200
    assert response.streaming
    rows = _csv(response)
    assert rows[0] == ["section", "item", "value"]
    assert [said("Complaints received"), said("All"), "7"] in rows
    assert [said("Outcomes"), said("Censure"), "1"] in rows
    assert [said("Days from receipt to decision"), said("Median"), "25.5"] in rows
    # Inside a cell a formula is harmless text: only a cell's start is neutralized.
    assert [said("Received, by principle cited"), '5 =HYPERLINK("http://x")', "1"] in rows


def test_a_formula_at_the_start_of_a_cell_is_neutralized(client, staff, year):
    Principle.objects.filter(number="5").update(number="=5")
    client.force_login(staff)
    rows = _csv(client.get(reverse("cases:annual_report_csv"), {"year": "2025"}))
    assert any(r[1].startswith("'=5 ") for r in rows)


def test_the_statistics_csv_has_a_row_per_year(client, staff, year):
    client.force_login(staff)
    rows = _csv(client.get(reverse("cases:statistics_csv")))
    header, by_year = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header[:4] == ["year", "from", "to", "received"]
    assert by_year["2025"]["received"] == "7"
    assert by_year["2024"]["open at year end"] == "1"


@pytest.mark.real_pdf
def test_the_annual_report_pdf_has_the_figures_and_names_no_party(client, staff, year, tmp_path):
    client.force_login(staff)
    response = client.get(reverse("cases:annual_report_pdf"), {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    heading = said("Enforcement of the code of ethics: annual report %(year)s", year=2025)
    assert squeezed(heading) in text
    assert squeezed(said("Complaints received: %(n)s", n=7)) in text
    assert squeezed(said("Cases decided: %(n)s", n=6)) in text
    assert year.d.respondent.name not in text


def test_staff_see_precedents_with_respondents_and_links(client, staff, year):
    bc = setup_board_case(staff, board=3)
    client.force_login(staff)
    panel = section(client.get(bc.case.get_absolute_url()), "precedents-h")
    # E, D, C: decided by the board, latest first, all citing principle 3.
    numbers = [year.e.number, year.d.number, year.c.number]
    positions = [panel.index(n) for n in numbers]
    assert positions == sorted(positions)
    assert f'href="{year.d.get_absolute_url()}"' in panel
    assert year.d.respondent.name in panel
    assert f"{said('Censure')} ({said('Overturned on appeal').lower()})" in panel
    assert said("No violation found") in panel
    assert year.a.number not in panel  # dismissed: not a board decision


def test_the_deciders_see_precedents_without_party_names(client, staff, year):
    bc = setup_board_case(staff, board=3)
    client.force_login(bc.board[0])
    response = client.get(bc.case.get_absolute_url())
    panel = section(response, "precedents-h")
    assert year.d.number in panel and said("Written warning") in panel
    for case in (year.c, year.d, year.e):
        assert case.respondent.name not in panel
        assert case.get_absolute_url() not in panel


def test_the_principle_page_shows_decisions_by_year(client, staff, board_member, year):
    client.force_login(staff)
    response = client.get(reverse("cases:principle_precedents", args=["3"]))
    assert response.status_code == 200
    text = text_of(response)
    decisions = said_n(
        "%(n)s board decision on cases citing it",
        "%(n)s board decisions on cases citing it",
        3,
        n=3,
    )
    assert decisions in text
    for label in ("No violation found", "Written warning", "Censure"):
        assert squeezed(f"{said(label)}{colon()} 1") in text
    assert 'role="img"' in response.content.decode()
    assert year.d.respondent.name in section(response, "latest-h")

    client.force_login(board_member)
    response = client.get(reverse("cases:principle_precedents", args=["3"]))
    assert decisions in text_of(response)
    assert year.d.respondent.name not in response.content.decode()
    assert client.get(reverse("cases:principle_precedents", args=["99"])).status_code == 404
