"""The case record: every service writes events; events are append-only (model,
queryset and, on PostgreSQL, a trigger) and hash-chained; verify_case_record names
the first event that does not match."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError

from cases import services
from cases.models import Case, CaseEvent
from cases.services import GENESIS_HASH, verify_case_record
from cases.services.record import UNANCHORED_NO_KEY
from tests.factories.cases import (
    PrincipleFactory,
    allegation,
    event_kinds,
    evidence_input,
    file_case,
    fresh,
    open_review,
    pass_response_window,
    pdf,
    transition,
)
from tests.factories.dates import days, today
from tests.factories.people import staff_user
from tests.factories.scenes import add_fact_finding, ready_for_referral

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def new_kinds(case, since: int) -> list[str]:
    return event_kinds(case)[since:]


def verify_command(number: str | None = None) -> str:
    out = io.StringIO()
    args = [number] if number else []
    call_command("verify_case_record", *args, stdout=out)
    return out.getvalue()


def tamper(sql: str, params: list) -> None:
    """Change the record behind the model's back. On PostgreSQL the append-only trigger
    is disabled for the statement (inside the test's transaction, so it comes back)."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # ALTER TABLE is refused while deferred foreign-key checks are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER case_event_append_only")
        cursor.execute(sql, params)
        if postgresql:
            cursor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER case_event_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def tamper_payload(event: CaseEvent, payload: dict) -> None:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    tamper(
        f"UPDATE cases_caseevent SET payload=%s{cast} WHERE id=%s", [json.dumps(payload), event.pk]
    )


# ---------------------------------------------------------------------------
# Every service writes the record
# ---------------------------------------------------------------------------


def test_filing_a_complaint_writes_its_first_events(
    staff, organization, procedure, principle, code
):
    second = PrincipleFactory(code=code, number="4")
    case = file_case(
        by=staff,
        respondent=organization,
        allegations=[allegation(principle), allegation(second)],
        evidence=[evidence_input(pdf("a.pdf")), evidence_input(pdf("b.pdf"))],
    )

    assert event_kinds(case) == [
        "filed",
        "access_granted",
        "allegation_added",
        "allegation_added",
        "evidence_added",
        "evidence_added",
        "letter_issued",  # the acknowledgement to the complainant
        "access_code_issued",  # the complainant's access code (never the code itself)
    ]
    filed = CaseEvent.objects.get(case=case, sequence=1)
    assert filed.to_state == "filed"
    assert filed.actor == staff
    assert filed.payload["number"] == case.number
    assert filed.payload["procedure"] == 1
    assert filed.previous_hash == GENESIS_HASH


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("case_officer_assign", ["case_officer_assigned"]),
        ("late_filing_accept", ["late_filing_accepted"]),
        ("complaint_amend", ["amended", "allegation_added", "evidence_added"]),
        ("evidence_add", ["evidence_added"]),
        ("evidence_set_disclosure", ["evidence_disclosure_changed"]),
        ("open_review", ["transition", "access_granted", "letter_issued", "open_review_effects"]),
        ("dismiss", ["transition", "letter_issued"]),
        ("withdraw", ["transition", "letter_issued"]),
    ],
)
def test_each_service_on_a_filed_case_writes_its_events(case, staff, service, expected):
    before = len(event_kinds(case))
    c = fresh(case)
    if service == "case_officer_assign":
        services.case_officer_assign(case=c, by=staff, officer=staff_user(username="officer.two"))
    elif service == "late_filing_accept":
        # Offered only for a late complaint: received after the filing deadline.
        Case.objects.filter(pk=c.pk).update(conduct_known_on=today() - days(400))
        services.late_filing_accept(case=fresh(c), by=staff, reason="Accepted late for cause.")
    elif service == "complaint_amend":
        services.complaint_amend(
            case=c,
            by=staff,
            reason="More.",
            allegations=[allegation()],
            evidence=[evidence_input(pdf("more.pdf"))],
        )
    elif service == "evidence_add":
        add_fact_finding(c, staff)
    elif service == "evidence_set_disclosure":
        services.evidence_set_disclosure(evidence=c.evidence.get(), by=staff, disclosed=False)
    elif service == "open_review":
        open_review(c, staff)
    else:
        transition(c, service, staff, reason="Reasons given.")

    assert new_kinds(case, before) == expected
    assert all(e.actor == staff for e in CaseEvent.objects.filter(case=case, sequence__gt=before))


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("response_submit", ["response_submitted", "evidence_added"]),
        ("response_window_reopen", ["response_window_reopened"]),
        ("finding_record", ["finding_recorded"]),
        ("finding_revise", ["finding_recorded", "finding_revised"]),
        ("review_report_save", ["review_report_saved"]),
        (
            "amend_and_notice",
            ["amended", "evidence_added", "amended_notice_issued", "letter_issued"],
        ),
        ("dismiss", ["transition", "access_revoked", "letter_issued", "letter_issued"]),
        ("withdraw", ["transition", "access_revoked", "letter_issued", "letter_issued"]),
        ("refer_to_board", ["transition", "ballot_opened", "refer_to_board_effects"]),
    ],
)
def test_each_service_under_review_writes_its_events(
    case, staff, representative, service, expected
):
    case = open_review(case, staff)
    if service == "refer_to_board":
        add_fact_finding(case, staff)
        services.response_submit(case=fresh(case), by=representative, text="We disagree.")
        for a in fresh(case).allegations.all():
            services.finding_record(
                allegation=a, by=staff, conclusion="inconclusive", reasoning="Unclear."
            )
        services.review_report_save(
            case=fresh(case), by=staff, text="Report.", rests_on_single_source=False
        )
    before = len(event_kinds(case))
    c = fresh(case)
    allegation_row = c.allegations.first()
    if service == "response_submit":
        services.response_submit(
            case=c, by=representative, text="Our answer.", attachments=[pdf("annex.pdf")]
        )
    elif service == "response_window_reopen":
        pass_response_window(c)
        services.response_window_reopen(
            case=fresh(c), by=staff, reason="Illness.", until=today() + days(5)
        )
    elif service == "finding_record":
        services.finding_record(
            allegation=allegation_row,
            by=staff,
            conclusion="substantiated",
            reasoning="Shown by the advert.",
        )
    elif service == "finding_revise":
        for conclusion in ("substantiated", "not_substantiated"):
            services.finding_record(
                allegation=allegation_row,
                by=staff,
                conclusion=conclusion,
                reasoning=f"Now {conclusion}.",
            )
    elif service == "review_report_save":
        services.review_report_save(case=c, by=staff, text="Report.", rests_on_single_source=True)
    elif service == "amend_and_notice":
        services.complaint_amend(
            case=c, by=staff, reason="More.", evidence=[evidence_input(pdf("more.pdf"))]
        )
        services.amended_notice_issue(case=fresh(c), by=staff)
    else:
        transition(c, service, staff, reason="Reasons given.")

    assert new_kinds(case, before) == expected
    assert verify_case_record(fresh(case)).ok


def test_a_revised_finding_keeps_the_first_in_the_record(case, staff):
    case = open_review(case, staff)
    a = fresh(case).allegations.get()
    services.finding_record(allegation=a, by=staff, conclusion="substantiated", reasoning="One.")
    services.finding_record(allegation=a, by=staff, conclusion="inconclusive", reasoning="Two.")

    recorded = [e.payload for e in CaseEvent.objects.filter(case=case, kind__startswith="finding")]
    assert [(p["conclusion"], p["reasoning"]) for p in recorded] == [
        ("substantiated", "One."),
        ("inconclusive", "Two."),
    ]
    assert type(a).objects.get(pk=a.pk).finding.conclusion == "inconclusive"


def test_an_invalid_finding_is_refused_and_leaves_no_trace(case, staff):
    case = open_review(case, staff)
    a = fresh(case).allegations.get()
    before = event_kinds(case)

    with pytest.raises(ValidationError):
        services.finding_record(allegation=a, by=staff, conclusion="guilty", reasoning="Because.")

    assert event_kinds(case) == before
    assert not type(a).objects.filter(pk=a.pk, finding__isnull=False).exists()


def test_the_chain_links_each_event_to_the_one_before(case, staff, representative):
    case = open_review(case, staff)
    services.response_submit(case=fresh(case), by=representative, text="Answer.")

    events = list(CaseEvent.objects.filter(case=case).order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    previous = GENESIS_HASH
    for e in events:
        assert e.previous_hash == previous
        assert e.hash == e.compute_hash()
        assert len(e.hash) == 64
        previous = e.hash
    assert len({e.hash for e in events}) == len(events)


def test_the_records_of_two_cases_are_separate_chains(staff, organization, procedure, principle):
    first = file_case(by=staff, respondent=organization)
    second = file_case(by=staff, respondent=organization)

    for case in (first, second):
        e = CaseEvent.objects.get(case=case, sequence=1)
        assert e.previous_hash == GENESIS_HASH


# ---------------------------------------------------------------------------
# Append-only
# ---------------------------------------------------------------------------


def test_an_event_cannot_be_saved_again(case):
    event = CaseEvent.objects.get(case=case, sequence=1)
    event.payload = {"number": "forged"}

    with pytest.raises(ValidationError, match="append-only"):
        event.save()

    assert CaseEvent.objects.get(pk=event.pk).payload["number"] == case.number


def test_an_event_cannot_be_deleted(case):
    event = CaseEvent.objects.get(case=case, sequence=1)

    with pytest.raises(ValidationError, match="append-only"):
        event.delete()

    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_or_deleted_through_a_queryset(case):
    before = list(CaseEvent.objects.filter(case=case).values_list("pk", "kind", "hash"))

    with pytest.raises(ValidationError, match="cannot be updated"):
        CaseEvent.objects.filter(case=case).update(kind="forged")
    with pytest.raises(ValidationError, match="cannot be deleted"):
        CaseEvent.objects.filter(case=case).delete()
    with pytest.raises(ValidationError, match="cannot be updated"):
        case.events.update(kind="forged")
    with pytest.raises(ValidationError, match="cannot be deleted"):
        case.events.all().delete()

    assert list(CaseEvent.objects.filter(case=case).values_list("pk", "kind", "hash")) == before


def test_events_cannot_be_rewritten_with_bulk_update(case):
    events = list(CaseEvent.objects.filter(case=case))
    for e in events:
        e.kind = "forged"

    with pytest.raises(ValidationError), transaction.atomic():
        CaseEvent.objects.bulk_update(events, ["kind"])

    assert not CaseEvent.objects.filter(case=case, kind="forged").exists()


def test_an_event_with_a_chosen_primary_key_is_refused(case):
    last = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    forged = CaseEvent(
        pk=last.pk,
        case=case,
        sequence=last.sequence,
        kind="forged",
        previous_hash=GENESIS_HASH,
        hash=GENESIS_HASH,
    )

    with pytest.raises(ValidationError, match="append-only"):
        forged.save()

    assert CaseEvent.objects.get(pk=last.pk).kind == last.kind


def test_a_case_with_a_record_cannot_be_deleted(case):
    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=case.pk).delete()

    assert Case.objects.filter(pk=case.pk).exists()
    assert CaseEvent.objects.filter(case=case).exists()


# ---------------------------------------------------------------------------
# verify_case_record
# ---------------------------------------------------------------------------


def test_verify_case_record_passes_on_an_intact_chain(case, staff, representative):
    case = open_review(case, staff)
    services.response_submit(case=fresh(case), by=representative, text="Answer.")
    count = CaseEvent.objects.filter(case=case).count()

    result = verify_case_record(fresh(case))

    assert result.ok
    assert result.events_checked == count
    assert result.first_bad_sequence is None
    assert verify_command(case.number).strip() == (
        f"{case.number}: OK ({count} events; {UNANCHORED_NO_KEY})"
    )


def test_verify_every_case_by_default(staff, organization, procedure, principle):
    first = file_case(by=staff, respondent=organization)
    second = file_case(by=staff, respondent=organization)

    output = verify_command()

    assert f"{first.number}: OK" in output
    assert f"{second.number}: OK" in output


def test_verify_names_an_unknown_case(db):
    with pytest.raises(CommandError, match="No case numbered 1999-0001"):
        verify_command("1999-0001")


def test_a_payload_changed_with_raw_sql_fails_verification_and_names_the_event(case, staff):
    case = open_review(case, staff)
    target = CaseEvent.objects.get(case=case, kind="transition")
    forged = dict(target.payload, step="dismiss")

    tamper_payload(target, forged)

    assert CaseEvent.objects.get(pk=target.pk).payload == forged
    result = verify_case_record(fresh(case))
    assert not result.ok
    assert result.first_bad_sequence == target.sequence
    assert "altered" in result.problem
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 case record"):
        call_command("verify_case_record", case.number, stdout=out)
    assert f"{case.number}: FAILED at event #{target.sequence}" in out.getvalue()
    assert "altered" in out.getvalue()


def test_a_tampered_event_with_a_recomputed_hash_breaks_the_link_to_the_next(case, staff):
    case = open_review(case, staff)
    target = CaseEvent.objects.get(case=case, sequence=2)
    target.payload = {"group": "Ethics staff", "permissions": ["view_case"], "why": "forged"}
    tamper(
        "UPDATE cases_caseevent SET payload=%s"
        + ("::jsonb" if connection.vendor == "postgresql" else "")
        + ", hash=%s WHERE id=%s",
        [json.dumps(target.payload), target.compute_hash(), target.pk],
    )

    result = verify_case_record(fresh(case))

    assert not result.ok
    assert result.first_bad_sequence == 3
    assert "link to the previous event" in result.problem


def test_a_deleted_event_fails_verification(case, staff):
    case = open_review(case, staff)
    tamper("DELETE FROM cases_caseevent WHERE case_id=%s AND sequence=%s", [case.pk, 3])

    result = verify_case_record(fresh(case))

    assert not result.ok
    assert result.first_bad_sequence == 4
    assert "event #3 is missing" in result.problem


def test_deleting_the_newest_events_fails_verification(case, staff, representative):
    case = transition(
        ready_for_referral(case, staff, respond_as=representative), "refer_to_board", staff
    )
    first_removed = CaseEvent.objects.get(case=case, kind="transition", to_state="board_vote")
    tamper(
        "DELETE FROM cases_caseevent WHERE case_id=%s AND sequence>=%s",
        [case.pk, first_removed.sequence],
    )
    assert fresh(case).state == "board_vote"
    assert not CaseEvent.objects.filter(case=case, to_state="board_vote").exists()

    result = verify_case_record(fresh(case))

    assert not result.ok


def test_a_changed_time_or_actor_fails_verification(case, staff):
    other = staff_user(username="impostor")
    target = CaseEvent.objects.get(case=case, sequence=1)
    tamper("UPDATE cases_caseevent SET actor_id=%s WHERE id=%s", [other.pk, target.pk])

    result = verify_case_record(fresh(case))

    assert (result.ok, result.first_bad_sequence) == (False, 1)


def test_tampering_with_one_case_does_not_taint_another(staff, organization, procedure, principle):
    tampered = file_case(by=staff, respondent=organization)
    intact = file_case(by=staff, respondent=organization)
    tamper_payload(CaseEvent.objects.get(case=tampered, sequence=1), {"number": "forged"})

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_case_record", stdout=out)

    assert f"{tampered.number}: FAILED at event #1" in out.getvalue()
    assert f"{intact.number}: OK" in out.getvalue()
    assert verify_command(intact.number).startswith(f"{intact.number}: OK")


# ---------------------------------------------------------------------------
# PostgreSQL: the trigger
# ---------------------------------------------------------------------------


@on_postgresql
def test_on_postgresql_the_database_refuses_a_raw_update_of_an_event(case):
    event = CaseEvent.objects.get(case=case, sequence=1)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_caseevent SET payload=%s::jsonb WHERE id=%s",
                [json.dumps({"number": "forged"}), event.pk],
            )

    assert CaseEvent.objects.get(pk=event.pk).payload["number"] == case.number
    assert verify_case_record(fresh(case)).ok


@on_postgresql
def test_on_postgresql_the_database_refuses_a_raw_delete_of_an_event(case):
    count = CaseEvent.objects.filter(case=case).count()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent WHERE case_id=%s", [case.pk])

    assert CaseEvent.objects.filter(case=case).count() == count
