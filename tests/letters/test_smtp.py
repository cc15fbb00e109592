"""Delivery through Django's SMTP backend to a real SMTP server on 127.0.0.1 (aiosmtpd,
tests/letters/smtp.py): what arrives (headers, body, the PDF and its hash), a server that
answers 4xx and then accepts (the automatic retry succeeds), and one that answers 5xx
(the failure is shown to staff at once, with no retry storm)."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from cases.models import Delivery, DispatchStatus, LetterKind
from tests.factories.cases import fresh, open_review
from tests.factories.dates import shown
from tests.factories.language import said
from tests.factories.letters import decided_case, letter, world_case


@pytest.fixture
def opened(world, smtp_server, settings, django_capture_on_commit_callbacks):
    """open_review: the notice of complaint goes to the respondent's two representatives."""

    def run(answers=()):
        case = world_case(world)
        smtp_server.received.clear()
        smtp_server.answers[:] = list(answers)
        with django_capture_on_commit_callbacks(execute=True):
            case = open_review(case, world.staff)
        return fresh(case), letter(case, LetterKind.NOTICE_OF_COMPLAINT)

    return run


def test_the_notice_arrives_with_its_pdf_and_says_what_it_is(world, smtp_server, opened, settings):
    case, notice = opened()
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(
        [world.rep.email, world.deputy.email]
    )
    for received in smtp_server.received:
        message = received.message
        assert received.mail_from == settings.DEFAULT_FROM_EMAIL
        assert message["From"] == settings.DEFAULT_FROM_EMAIL
        assert message["To"] == received.rcpt_tos[0]
        assert message["Subject"] == f"Notice of complaint: case {case.number}"
        assert message["Message-ID"] and message["Date"]
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert f"Notice of complaint in case {case.number}." in body
        assert f"Your response is due by {shown(case.response_due_on)}. That is the" in body
        assert "please find attached" not in body.lower()
        assert notice.sha256 in body
        attachments = list(message.iter_attachments())
        assert len(attachments) == 1
        pdf = attachments[0]
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_filename() == f"{case.number}-notice-of-complaint.pdf"
        assert hashlib.sha256(pdf.get_content()).hexdigest() == notice.sha256
    assert notice.dispatch.status == DispatchStatus.SENT
    assert Delivery.objects.filter(letter=notice, succeeded=True).count() == 2


def test_a_letter_that_sets_no_deadline_says_so(
    world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = world_case(world)
    # the letter's message (the access code comes in one of its own)
    (received,) = [r for r in smtp_server.received if "Acknowledgement" in r.message["Subject"]]
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    assert f"Acknowledgement of complaint in case {case.number}." in body
    assert "This letter sets you no deadline." in body


def test_a_4xx_answer_is_retried_and_the_retry_succeeds(world, smtp_server, opened, settings):
    settings.PROBITY_DELIVERY_RETRY_DELAYS = [0, 0, 0]
    # The notice's first DATA is refused for now; everything after it is accepted.
    case, notice = opened(answers=["451 4.3.0 Mailbox busy, try again later"])

    assert len(smtp_server.refused) == 1  # one address refused once...
    refused_to = smtp_server.refused[0][0]
    delivered = [r.rcpt_tos[0] for r in smtp_server.received]
    assert sorted(delivered) == sorted([world.rep.email, world.deputy.email])  # ...then sent
    assert delivered.count(refused_to[0]) == 1  # and each address got it once
    notice.dispatch.refresh_from_db()
    assert notice.dispatch.status == DispatchStatus.SENT
    assert notice.dispatch.attempts == 2
    failed = Delivery.objects.get(letter=notice, succeeded=False)
    assert failed.recipient == refused_to[0] and "451" in failed.error
    assert Delivery.objects.filter(letter=notice, succeeded=True).count() == 2


def test_a_5xx_answer_is_not_retried_and_staff_see_the_failure(
    world, smtp_server, opened, settings, client
):
    settings.PROBITY_DELIVERY_RETRY_DELAYS = [0, 0, 0]
    smtp_server.otherwise = "550 5.1.1 Mailbox unavailable"
    case, notice = opened()
    assert smtp_server.data_commands == 2  # one per address: no retry storm
    assert smtp_server.received == []
    notice.dispatch.refresh_from_db()
    assert notice.dispatch.status == DispatchStatus.FAILED
    assert notice.dispatch.attempts == 1
    assert "550" in notice.dispatch.last_error

    client.force_login(world.staff)
    page = client.get(case.get_absolute_url()).content.decode()
    assert said("Delivery failed") in page
    assert "Mailbox unavailable" in page
    assert reverse("cases:letter_redeliver", args=[case.number, notice.pk]) in page

    # The manual retry goes through once the server accepts again.
    smtp_server.otherwise = None
    client.post(reverse("cases:letter_redeliver", args=[case.number, notice.pk]))
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(
        [world.rep.email, world.deputy.email]
    )
    notice.dispatch.refresh_from_db()
    assert notice.dispatch.status == DispatchStatus.SENT


def test_retries_stop_after_the_configured_count(world, smtp_server, opened, settings):
    settings.PROBITY_DELIVERY_RETRY_DELAYS = [0, 0]
    smtp_server.otherwise = "421 4.7.0 Too busy"
    _, notice = opened()
    assert smtp_server.data_commands == 2 * 3  # two addresses, a first try and two retries
    notice.dispatch.refresh_from_db()
    assert notice.dispatch.status == DispatchStatus.FAILED
    assert notice.dispatch.attempts == 3


def test_the_decision_says_by_when_an_appeal_must_be_filed(
    world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = decided_case(world, "censure", None)
    case = fresh(case)
    decision = letter(case, LetterKind.DECISION)
    bodies = [
        r.message.get_body(preferencelist=("plain",)).get_content()
        for r in smtp_server.received
        if r.message["Subject"] == f"Decision letter: case {case.number}"
        and r.rcpt_tos[0] == world.rep.email
    ]
    assert bodies, "the decision letter should reach the representative"
    assert f"Any appeal must be filed by {shown(case.appeal_deadline)}." in bodies[0]
    assert decision.sha256 in bodies[0]
