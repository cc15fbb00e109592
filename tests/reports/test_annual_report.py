"""The annual report on a seeded year with known numbers (tests/factories/records.py)."""

from __future__ import annotations

import pytest

from cases import reports
from cases.reports import ReportYear, annual_report, percentile
from tests.factories.records import seeded_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(staff):
    return seeded_year(staff)


def test_the_2025_report_counts_what_was_received_decided_and_open(year):
    r = annual_report(ReportYear(2025))

    assert r.received == 7  # A B C D E F H; G was received in 2024
    assert dict(r.by_complainant) == {
        "A member's representative": 1,
        "A person outside the association": 2,
        "An organization outside the association (e.g. a news outlet)": 4,
    }
    assert [(n, count) for n, _title, count in r.by_principle] == [("3", 7), ("5", 1)]
    assert r.decided == 6  # A B C D E G
    assert {key: n for key, _label, n in r.outcomes} == {
        "dismissed": 2,
        "withdrawn": 1,
        "no_violation": 1,
        "warning": 1,
        "censure": 1,  # overturned on appeal, counted as the board imposed it
        "suspension": 0,
        "expulsion": 0,
    }
    assert r.appeals_filed == 1
    assert {key: n for key, _label, n in r.appeal_results} == {
        "upheld": 0,
        "modified": 0,
        "overturned": 1,
    }
    # To decision: 10 20 21 30 40 50; to closing: 10 20 21 50 60 80.
    assert (r.to_decision.count, r.to_decision.median, r.to_decision.p90) == (6, 25.5, 50)
    assert (r.to_closing.count, r.to_closing.median, r.to_closing.p90) == (6, 35.5, 80)
    assert r.open_at_year_end == 2  # F, still filed; H, dismissed only in January 2026


def test_the_year_before_counts_the_case_still_open_at_its_end(year):
    r = annual_report(ReportYear(2024))
    assert (r.received, r.decided, r.open_at_year_end) == (1, 0, 1)  # G
    assert r.to_decision.median is None and r.to_closing.p90 is None


def test_a_fiscal_year_from_april(year, settings):
    settings.PROBITY_REPORT_YEAR_START_MONTH = 4
    fiscal = ReportYear.of(2025)
    assert fiscal.label == "2025–26"
    assert (str(fiscal.first_day), str(fiscal.last_day)) == ("2025-04-01", "2026-03-31")
    r = annual_report(fiscal)
    assert r.received == 5  # C D E F H
    assert r.decided == 4  # C D E, and H in January 2026; A, B and G fell before April
    assert r.open_at_year_end == 1  # F (H was dismissed in January 2026)


def test_the_report_rows_name_no_party(year):
    text = repr(annual_report(ReportYear(2025)).rows())
    for case in (year.a, year.c, year.d, year.e):
        assert case.respondent.name not in text
        assert case.complainant.name not in text
        assert case.number not in text


def test_the_statistics_have_a_row_per_year_with_the_same_figures(year):
    rows = {
        row[0]: dict(zip(reports.STATISTICS_HEADER, row, strict=True))
        for row in reports.statistics_rows()
    }
    assert "2024" in rows and "2025" in rows and "2026" in rows
    assert rows["2025"]["received"] == 7
    assert rows["2025"]["outcome: Dismissed"] == 2
    assert rows["2025"]["median days to decision"] == "25.5"
    assert rows["2025"]["p90 days to closing"] == "80"
    assert rows["2025"]["open at year end"] == 2


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [([], 0.9, None), ([7], 0.9, 7), (list(range(1, 11)), 0.9, 9), (list(range(1, 12)), 0.9, 10)],
)
def test_the_90th_percentile_is_the_nearest_rank(values, share, expected):
    assert percentile(values, share) == expected
