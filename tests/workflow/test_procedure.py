"""The procedure: versioned, kept by each case as it was when the case was filed,
refused when invalid (in the admin's full_clean and in `manage.py check`); and case
numbers."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from cases import services
from cases.checks import probity_procedures
from cases.models import Case, CaseNumberSequence, Procedure
from tests.factories.cases import (
    ProcedureFactory,
    allegation,
    complainant_input,
    file_case,
    fresh,
    open_review,
)
from tests.factories.dates import days, today

# ---------------------------------------------------------------------------
# A case keeps its procedure version
# ---------------------------------------------------------------------------


def test_a_case_keeps_the_procedure_version_in_force_when_it_was_filed(
    staff, organization, procedure, principle
):
    old = file_case(by=staff, respondent=organization)
    ProcedureFactory(version=2, in_force_from=today(), response_window_days=45)

    new = file_case(by=staff, respondent=organization)

    assert fresh(old).procedure.version == 1
    assert fresh(new).procedure.version == 2
    assert open_review(old, staff).response_due_on == today() + days(21)
    assert open_review(new, staff).response_due_on == today() + days(45)


def test_a_version_adopted_for_a_future_date_does_not_apply_yet(
    staff, organization, procedure, principle
):
    ProcedureFactory(version=2, in_force_from=today() + days(10))

    case = file_case(by=staff, respondent=organization)

    assert case.procedure == procedure


def test_no_complaint_can_be_filed_without_a_procedure_in_force(staff, organization, principle):
    ProcedureFactory(version=1, in_force_from=today() + days(1))

    with pytest.raises(ValidationError, match="No procedure is in force"):
        services.complaint_file(
            by=staff,
            respondent=organization,
            complainant=complainant_input(),
            summary="Misleading claims",
            conduct_known_on=today() - days(10),
            case_officer=staff,
            allegations=[allegation(principle)],
        )

    assert Case.objects.count() == 0


def test_a_procedure_version_used_by_a_case_cannot_be_changed(case, procedure):
    procedure.refresh_from_db()
    procedure.response_window_days = 7

    with pytest.raises(ValidationError) as refused:
        procedure.save()

    message = " ".join(refused.value.messages)
    assert "Procedure version 1" in message
    assert "used by running cases" in message
    assert "new version" in message
    assert Procedure.objects.get(pk=procedure.pk).response_window_days == 21
    assert fresh(case).procedure.response_window_days == 21


def test_a_procedure_version_no_case_uses_can_still_be_corrected(db):
    draft = ProcedureFactory(version=3, in_force_from=today() + days(30))
    draft.response_window_days = 28

    draft.save()

    assert Procedure.objects.get(pk=draft.pk).response_window_days == 28


# ---------------------------------------------------------------------------
# An invalid procedure is refused
# ---------------------------------------------------------------------------

INVALID = [
    ("quorum_rule", ">0/1", "quorum rule must be above zero"),
    ("quorum_rule", ">=0", "quorum rule must be above zero"),
    ("violation_rule", ">=3/2", "violation rule cannot exceed 100%"),
    ("expulsion_rule", ">1/1", "expulsion rule cannot exceed 100%"),
    ("sanction_rule", "half", "must start with > or >="),
    ("sanction_rule", ">1/0", "is not a fraction"),
    ("response_window_days", 0, "response window days must be at least one day"),
    ("appeal_window_days", 0, "appeal window days must be at least one day"),
    ("ballot_window_days", 0, "ballot window days must be at least one day"),
    ("filing_deadline_days", 0, "filing deadline days must be at least one day"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), INVALID, ids=[f"{f}={v}" for f, v, _ in INVALID]
)
def test_an_invalid_procedure_is_refused_by_full_clean_with_a_clear_message(
    db, field, value, message
):
    procedure = Procedure(version=5, in_force_from=today(), **{field: value})

    with pytest.raises(ValidationError) as refused:
        procedure.full_clean()

    assert any(message in m for m in refused.value.messages), refused.value.messages


@pytest.mark.parametrize(
    ("field", "value", "message"),
    INVALID[:4] + INVALID[6:7],
    ids=[f"{f}={v}" for f, v, _ in INVALID[:4] + INVALID[6:7]],
)
def test_an_invalid_procedure_cannot_be_saved(db, field, value, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        Procedure.objects.create(version=5, in_force_from=today(), **{field: value})

    assert not Procedure.objects.filter(version=5).exists()


def test_a_negative_window_is_refused(db):
    procedure = Procedure(version=5, in_force_from=today(), appeal_window_days=-5)

    with pytest.raises(ValidationError) as refused:
        procedure.full_clean()

    assert "appeal window days must be at least one day." in refused.value.messages


@pytest.mark.parametrize("rule", [">=1/1", "> 1/2", ">=2/3", ">3/4", ">=1/10"])
def test_sensible_thresholds_are_accepted(db, rule):
    procedure = Procedure(version=5, in_force_from=today(), quorum_rule=rule, expulsion_rule=rule)

    procedure.full_clean()

    assert procedure.problems() == []


def test_the_default_procedure_is_valid_and_states_its_denominator(db):
    procedure = Procedure(version=5, in_force_from=today())

    procedure.full_clean()

    rules = procedure.describe_rules()
    assert rules["quorum"] == "more than half of eligible voters must vote"
    assert rules["expulsion"].startswith("at least two thirds of votes cast")
    assert "abstentions are not votes cast" in rules["violation"]


# ---------------------------------------------------------------------------
# manage.py check reports a bad row that bypassed save()
# ---------------------------------------------------------------------------


def test_check_passes_with_valid_procedures(procedure):
    call_command("check")

    assert probity_procedures(None) == []


def test_check_reports_a_bad_procedure_inserted_with_bulk_create(db):
    Procedure.objects.bulk_create(
        [
            Procedure(
                version=7,
                in_force_from=datetime.date(2026, 1, 1),
                quorum_rule=">0/1",
                response_window_days=0,
            )
        ]
    )

    with pytest.raises(SystemCheckError) as failed:
        call_command("check")

    output = str(failed.value)
    assert "probity.E001" in output
    assert "Procedure version 7" in output
    assert "quorum rule must be above zero" in output
    assert "response window days must be at least one day" in output


def test_check_reports_a_procedure_broken_with_a_queryset_update(procedure):
    Procedure.objects.filter(pk=procedure.pk).update(expulsion_rule=">=3/2")

    with pytest.raises(SystemCheckError) as failed:
        call_command("check")

    assert "expulsion rule cannot exceed 100%" in str(failed.value)
    errors = probity_procedures(None)
    assert [e.id for e in errors] == ["probity.E001"]
    assert "Fix it in the admin" in errors[0].hint


# ---------------------------------------------------------------------------
# Case numbers
# ---------------------------------------------------------------------------


def test_case_numbers_look_like_year_dash_four_digits_and_increase(
    staff, organization, procedure, principle
):
    cases = [file_case(by=staff, respondent=organization) for _ in range(3)]

    year = timezone.localdate().year
    assert [c.number for c in cases] == [f"{year}-0001", f"{year}-0002", f"{year}-0003"]
    assert all(re.fullmatch(r"\d{4}-\d{4}", c.number) for c in cases)
    assert CaseNumberSequence.objects.get(year=year).last == 3


def test_case_numbers_start_again_each_year(staff, organization, procedure, principle, monkeypatch):
    year = today().year + 1
    clock = {"now": datetime.datetime(year, 12, 31, 12, 0, tzinfo=datetime.UTC)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])

    late_in_year = [file_case(by=staff, respondent=organization) for _ in range(2)]
    clock["now"] = datetime.datetime(year + 1, 1, 1, 9, 0, tzinfo=datetime.UTC)
    new_year = file_case(by=staff, respondent=organization)

    assert [c.number for c in late_in_year] == [f"{year}-0001", f"{year}-0002"]
    assert new_year.number == f"{year + 1}-0001"
    assert timezone.localtime(new_year.filed_at).year == year + 1


def test_a_refused_complaint_does_not_use_up_a_number(staff, organization, procedure, principle):
    first = file_case(by=staff, respondent=organization)
    with pytest.raises(ValidationError):
        file_case(by=staff, respondent=organization, summary="   ")
    with pytest.raises(ValidationError):
        file_case(
            by=staff,
            respondent=organization,
            allegations=[
                allegation(principle, conduct_from=today() + days(3), conduct_to=today() + days(4))
            ],
        )

    second = file_case(by=staff, respondent=organization)

    year = today().year
    assert (first.number, second.number) == (f"{year}-0001", f"{year}-0002")


# ---------------------------------------------------------------------------
# A principle a case cites is frozen
# ---------------------------------------------------------------------------


def test_a_principle_cited_by_a_case_cannot_be_changed(staff, organization, procedure, principle):
    case = file_case(by=staff, respondent=organization)
    principle.refresh_from_db()
    principle.effective_on = principle.effective_on + days(3650)
    with pytest.raises(ValidationError, match=f"cited in case {case.number}.*new version"):
        principle.save()
    principle.refresh_from_db()
    assert principle.effective_on < today()


def test_a_principle_nobody_cites_can_still_be_corrected(db, principle):
    principle.title = "Corrected title"
    principle.save()
    principle.refresh_from_db()
    assert principle.title == "Corrected title"


def test_the_admin_shows_a_cited_principle_read_only_and_refuses_to_delete_it(
    staff, organization, procedure, principle, admin_client
):
    file_case(by=staff, respondent=organization)
    page = admin_client.get(f"/admin/cases/principle/{principle.pk}/change/")
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()  # shown, not editable
    assert admin_client.get(f"/admin/cases/principle/{principle.pk}/delete/").status_code == 403
