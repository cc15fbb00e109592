"""Delivery (issue 5): letters are emailed with the PDF attached after the transaction
commits; every attempt is recorded; a failed send does not undo the step, is shown to
staff and can be retried; the complainant, who has no account, gets letters by email."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from cases.models import Delivery, Letter, LetterKind
from cases.workflow import CaseState
from tests.factories.cases import COMPLAINANT_EMAIL, fresh, open_review
from tests.factories.language import said, said_p
from tests.factories.letters import letter, sha256, stored_bytes, world_case

FAILING = "tests.letters.test_delivery.ExplodingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class ExplodingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server at mail.invalid:25 refused the connection")


def attachment_of(message) -> tuple[str, bytes, str]:
    assert len(message.attachments) == 1
    name, content, mimetype = message.attachments[0]
    return name, content, mimetype


@pytest.fixture
def failed_notice(world, settings, django_capture_on_commit_callbacks):
    """open_review with the mail server down: the notice's delivery fails after commit,
    with no automatic retry (tests/letters/test_smtp.py has those)."""
    case = world_case(world)
    settings.EMAIL_BACKEND = FAILING
    settings.PROBITY_DELIVERY_RETRY_DELAYS = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = open_review(case, world.staff)
    assert callbacks, "nothing was scheduled for after the commit"
    settings.EMAIL_BACKEND = LOCMEM
    return case, letter(case, LetterKind.NOTICE_OF_COMPLAINT)


def test_a_failing_mail_server_does_not_undo_the_step(world, failed_notice):
    case, notice = failed_notice
    case = fresh(case)
    assert case.state == CaseState.UNDER_REVIEW
    assert case.notice_issued_at is not None
    assert sha256(stored_bytes(notice)) == notice.sha256  # the letter is stored
    assert mail.outbox == []


def test_each_failed_attempt_is_recorded_with_its_error(world, failed_notice):
    _, notice = failed_notice
    attempts = list(Delivery.objects.filter(letter=notice).order_by("pk"))
    assert {d.recipient for d in attempts} == {world.rep.email, world.deputy.email}
    assert sorted(notice.recipient_emails) == sorted([world.rep.email, world.deputy.email])
    for d in attempts:
        assert d.succeeded is False
        assert "ConnectionRefusedError" in d.error and "refused the connection" in d.error
        assert d.attempted_by is None  # sent by the system, after the commit


def test_staff_retry_delivers_the_letter(world, client, failed_notice):
    case, notice = failed_notice
    client.force_login(world.staff)
    response = client.post(reverse("cases:letter_redeliver", args=[case.number, notice.pk]))
    assert response.status_code == 302

    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.rep.email, world.deputy.email])
    for message in mail.outbox:
        assert len(message.to) == 1
        assert case.number in message.subject
        assert notice.sha256 in message.body
        name, content, mimetype = attachment_of(message)
        assert name == f"{case.number}-notice-of-complaint.pdf"
        assert mimetype == "application/pdf"
        assert sha256(content) == notice.sha256
    succeeded = Delivery.objects.filter(letter=notice, succeeded=True)
    assert {d.recipient for d in succeeded} == {world.rep.email, world.deputy.email}
    assert all(d.attempted_by == world.staff for d in succeeded)
    assert Delivery.objects.filter(letter=notice, succeeded=False).count() == 2  # kept

    # The staff case page shows the failed and the successful attempts.
    page = client.get(case.get_absolute_url()).content.decode()
    failed, sent = said_p("letter delivery", "Failed"), said_p("letter delivery", "Sent")
    assert page.count(f'<span class="badge badge-bad">{failed}</span>') == 2
    assert page.count(f'<span class="badge badge-ok">{sent}</span>') >= 3  # 2 attempts, the letter
    assert "refused the connection" in page

    # A second retry has nothing left to send.
    mail.outbox.clear()
    client.post(reverse("cases:letter_redeliver", args=[case.number, notice.pk]))
    assert mail.outbox == []
    assert Delivery.objects.filter(letter=notice).count() == 4


def test_a_retry_that_fails_again_is_recorded_and_shown(world, client, settings, failed_notice):
    case, notice = failed_notice
    settings.EMAIL_BACKEND = FAILING
    client.force_login(world.staff)
    response = client.post(
        reverse("cases:letter_redeliver", args=[case.number, notice.pk]), follow=True
    )
    assert response.status_code == 200
    assert Delivery.objects.filter(letter=notice, succeeded=False).count() == 4
    again = Delivery.objects.filter(letter=notice, succeeded=False).order_by("pk")[2:]
    assert said(
        "Delivery failed again for %(recipients)s: %(error)s",
        recipients=", ".join(d.recipient for d in again),
        error=again[0].error,
    ) in response.content.decode()
    assert not Delivery.objects.filter(letter=notice, succeeded=True).exists()


def test_only_staff_may_retry(world, client, failed_notice):
    case, notice = failed_notice
    client.force_login(world.rep)
    response = client.post(reverse("cases:letter_redeliver", args=[case.number, notice.pk]))
    assert response.status_code in (403, 404)
    assert mail.outbox == []
    assert not Delivery.objects.filter(letter=notice, succeeded=True).exists()


def test_the_step_through_the_view_succeeds_with_the_mail_server_down(
    world, client, settings, django_capture_on_commit_callbacks
):
    case = world_case(world)
    settings.EMAIL_BACKEND = FAILING
    settings.PROBITY_DELIVERY_RETRY_DELAYS = []
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:case_step", args=[case.number, "open_review"]),
            {"expected_state": CaseState.FILED, "confirmed": "yes"},
        )
    assert response.status_code == 302
    assert fresh(case).state == CaseState.UNDER_REVIEW
    notice = letter(case, LetterKind.NOTICE_OF_COMPLAINT)
    assert Delivery.objects.filter(letter=notice, succeeded=False).count() == 2


def test_no_email_is_sent_before_the_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = world_case(world)
    assert callbacks
    assert mail.outbox == []
    assert not Delivery.objects.exists()
    for callback in callbacks:
        callback()
    # the acknowledgement, and the access code to the complainant's page on its own
    assert [m.to for m in mail.outbox] == [[COMPLAINANT_EMAIL]] * 2
    assert Letter.objects.filter(case=case).count() == 1


def test_the_complainant_gets_the_acknowledgement_by_email(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = world_case(world)
    ack = letter(case, LetterKind.ACKNOWLEDGEMENT, "complainant")
    assert ack.recipient_emails == [COMPLAINANT_EMAIL]
    # the access code comes in a message of its own, never with the letter
    (code_message,) = [m for m in mail.outbox if not m.attachments]
    assert case.new_access_code in code_message.body
    (message,) = [m for m in mail.outbox if m.attachments]
    assert case.new_access_code not in message.body
    assert message.to == [COMPLAINANT_EMAIL]
    name, content, mimetype = attachment_of(message)
    assert name == f"{case.number}-acknowledgement.pdf"
    assert mimetype == "application/pdf"
    assert content == stored_bytes(ack)
    delivery = Delivery.objects.get(letter=ack)
    assert delivery.succeeded and delivery.recipient == COMPLAINANT_EMAIL and delivery.error == ""


def test_a_complainant_without_an_email_is_not_mailed(world, django_capture_on_commit_callbacks):
    from cases.services import ComplainantInput

    with django_capture_on_commit_callbacks(execute=True):
        case = world_case(
            world,
            complainant=ComplainantInput(
                kind="person", name="Pat Post", postal_address="1 High Street\nNorthbridge"
            ),
        )
    ack = letter(case, LetterKind.ACKNOWLEDGEMENT, "complainant")
    assert ack.recipient_emails == []
    assert mail.outbox == [] and not Delivery.objects.exists()
