"""CSV exports: streamed, permission-checked, the filters of the page, and cells a
spreadsheet would run as a formula neutralized."""

import csv
import io

import pytest
from django.urls import reverse

from association.exports import neutralize
from tests.factories.cases import file_case
from tests.factories.members import OrganizationFactory

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_is_neutralized(cell):
    assert neutralize(cell) == "'" + cell


def test_plain_cells_are_left_alone():
    assert neutralize("Acme Robotics") == "Acme Robotics" and neutralize(None) == ""


def test_the_register_export_follows_the_filters_and_neutralizes(client, staff):
    OrganizationFactory(name="=cmd|' /C calc'!A0", slug="formula-co")
    OrganizationFactory(name="Plain Ltd", slug="plain-ltd", status="lapsed")
    client.force_login(staff)

    everything = rows(client.get(reverse("register_export")))
    lapsed = rows(client.get(reverse("register_export") + "?status=lapsed"))

    names = [r[0] for r in everything[1:]]
    assert "'=cmd|' /C calc'!A0" in names and "Plain Ltd" in names
    assert [r[0] for r in lapsed[1:]] == ["Plain Ltd"]


def test_the_case_export_lists_what_the_user_may_see(client, staff, board_member):
    file_case(by=staff, summary="-2+3 misleading claims")
    client.force_login(staff)
    staff_rows = rows(client.get(reverse("cases:case_list_export")))
    assert staff_rows[1][3] == "'-2+3 misleading claims"
    client.force_login(board_member)  # not referred: the board sees none of it
    assert rows(client.get(reverse("cases:case_list_export")))[1:] == []


def test_a_representative_exports_nothing(client, representative):
    client.force_login(representative)
    for name in ("register_export", "dues_export", "cases:case_list_export"):
        assert client.get(reverse(name)).status_code == 403, name


def test_only_staff_export_dues(client, board_member, staff):
    client.force_login(board_member)
    assert client.get(reverse("dues_export")).status_code == 403
    client.force_login(staff)
    response = client.get(reverse("dues_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
