"""Letters prepared off the request path (docs/decisions/0027): the step orders the
letter and enqueues its preparation in its own transaction; the task issues it once,
whatever duplicates or retries do; a failure is shown to staff with a retry; the pages
say "Being prepared" and offer no download until the letter exists; the record
verifies before and after; the letter and its email are in the recipient's language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from cases import rendering
from cases.models import CaseEvent, Letter, LetterKind, LetterOrder, LetterOrderStatus
from cases.services import letters
from cases.services.record import verify_case_record
from tests.factories.cases import fresh, open_review
from tests.factories.language import said
from tests.factories.letters import world_case
from tests.factories.pages import text_of

pytestmark = pytest.mark.django_db

PREPARE = "cases.services.letters.prepare_letter"


def notice_order(case) -> LetterOrder:
    return LetterOrder.objects.get(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT)


def issued_events(case) -> int:
    return CaseEvent.objects.filter(case_id=case.pk, kind="letter_issued").count()


@pytest.fixture
def queued_notice(world, database_tasks):
    """open_review with the queue's database backend: the notice is ordered, not issued."""
    case = open_review(world_case(world), world.staff)
    return fresh(case), notice_order(case)


def test_the_step_orders_the_letter_and_enqueues_its_preparation(world, queued_notice):
    case, order = queued_notice
    assert order.status == LetterOrderStatus.PREPARING and order.letter is None
    assert order.event.kind == "transition"  # the step's own event
    assert case.number in order.html and world.organization.name in order.html
    assert not Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).exists()
    tasks = DBTaskResult.objects.filter(task_path=PREPARE, status="READY")
    assert order.pk in [t.args_kwargs["args"][0] for t in tasks]
    assert verify_case_record(case).ok  # an order pending leaves the record verifiable


def test_a_rolled_back_step_leaves_no_order_and_no_task(world, database_tasks):
    case = world_case(world)
    before = DBTaskResult.objects.filter(task_path=PREPARE).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        open_review(case, world.staff)
        raise RuntimeError("the step fails after ordering its letter")
    assert not LetterOrder.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).exists()
    assert DBTaskResult.objects.filter(task_path=PREPARE).count() == before


def test_the_task_issues_once_however_often_it_runs(world, queued_notice):
    case, order = queued_notice
    events = issued_events(case)
    assert letters.attempt_preparation(order.pk) == LetterOrderStatus.ISSUED
    assert letters.attempt_preparation(order.pk) == LetterOrderStatus.ISSUED  # a duplicate
    order.refresh_from_db()
    issued = Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT)
    assert list(issued) == [order.letter]
    assert issued_events(case) == events + 1
    assert order.letter.event_id == order.event_id  # issued for the step that ordered it
    assert order.letter.dispatch.status == "queued"
    assert verify_case_record(fresh(case)).ok


def test_a_task_finding_the_order_held_by_a_live_worker_leaves_it(world, queued_notice):
    case, order = queued_notice
    LetterOrder.objects.filter(pk=order.pk).update(
        lease_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert letters.attempt_preparation(order.pk) == "held"
    assert not Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).exists()


def test_the_sweep_requeues_an_order_whose_worker_died(world, queued_notice):
    case, order = queued_notice
    LetterOrder.objects.filter(pk=order.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1), attempts=1
    )
    tasks = DBTaskResult.objects.filter(task_path=PREPARE)
    before, events = tasks.count(), issued_events(case)
    assert letters.sweep_stalled_orders() == 1
    assert tasks.count() == before + 1
    assert letters.sweep_stalled_orders() == 0  # its lease cleared: not queued twice
    assert letters.attempt_preparation(order.pk) == LetterOrderStatus.ISSUED
    assert letters.attempt_preparation(order.pk) == LetterOrderStatus.ISSUED  # the old task
    assert issued_events(case) == events + 1
    assert Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).count() == 1


def broken_render(html, head=None):
    raise OSError("the fonts are missing")


def test_a_failed_preparation_is_shown_to_staff_and_retried(world, client, settings, monkeypatch):
    settings.PROBITY_LETTER_RETRY_DELAYS = [30]  # one automatic retry (at once here)
    monkeypatch.setattr(rendering, "render_pdf", broken_render)
    case = open_review(world_case(world), world.staff)  # the step itself succeeds
    order = notice_order(case)
    assert order.status == LetterOrderStatus.FAILED and order.attempts == 2
    assert "OSError: the fonts are missing" in order.last_error
    assert not Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).exists()

    client.force_login(world.staff)
    page = client.get(case.get_absolute_url())
    retry = reverse("cases:letter_order_retry", args=[case.number, order.pk])
    assert said("Preparation failed") in text_of(page) and "the fonts are missing" in text_of(page)
    assert retry in page.content.decode()

    client.force_login(world.rep)  # the respondent sees it being prepared, not the error
    text = text_of(client.get(case.get_absolute_url()))
    assert said("Being prepared") in text and "fonts" not in text
    assert client.post(retry).status_code in (403, 404)
    assert fresh_order(order).status == LetterOrderStatus.FAILED

    monkeypatch.setattr(rendering, "render_pdf", lambda html, head=None: b"%PDF-1.7 ok\n%%EOF\n")
    client.force_login(world.staff)
    done = client.post(retry, follow=True)
    assert said("The letter was prepared and issued.") in text_of(done)
    order = fresh_order(order)
    assert order.status == LetterOrderStatus.ISSUED and order.letter is not None
    assert Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT).count() == 1
    page = client.get(case.get_absolute_url())  # the acknowledgement failed too: its button stays
    assert retry not in page.content.decode() and "the fonts are missing" in text_of(page)
    assert verify_case_record(fresh(case)).ok


def fresh_order(order) -> LetterOrder:
    return LetterOrder.objects.get(pk=order.pk)


def test_a_retry_of_a_letter_not_failed_is_refused(world, queued_notice):
    from django.core.exceptions import ValidationError

    _, order = queued_notice
    with pytest.raises(ValidationError, match="No letter's preparation has failed"):
        letters.retry_preparation(order=order, by=world.staff)


def test_the_pages_say_being_prepared_and_offer_no_download(world, client, queued_notice):
    case, order = queued_notice
    for user in (world.staff, world.rep):
        client.force_login(user)
        page = client.get(case.get_absolute_url())
        assert page.status_code == 200
        text = text_of(page)
        assert said("Notice of complaint") in text and said("Being prepared") in text, user
    client.force_login(world.rep)
    portal = text_of(client.get(reverse("portal")))
    assert said("Being prepared") in portal and case.number in portal
    # No letter exists, so there is nothing to download under any id.
    url = reverse("cases:letter_download", args=[case.number, order.pk])
    client.force_login(world.staff)
    assert client.get(url).status_code == 404

    for pending in LetterOrder.objects.filter(case=case):  # the acknowledgement too
        letters.attempt_preparation(pending.pk)
    letter = fresh_order(order).letter
    page = client.get(case.get_absolute_url())
    assert said("Being prepared") not in text_of(page)
    assert letter.get_absolute_url() in page.content.decode()
    assert client.get(letter.get_absolute_url()).status_code == 200


def test_the_complainants_page_says_being_prepared(world, client, database_tasks):
    case = world_case(world)  # the acknowledgement is ordered, not issued
    response = client.post(
        reverse("cases:complainant_sign_in"),
        {"reference": case.number, "code": case.new_access_code},
    )
    assert response.status_code == 302
    text = text_of(client.get(reverse("cases:complainant_page", args=[case.number])))
    assert said("Acknowledgement of complaint") in text and said("Being prepared") in text


def test_a_letter_to_a_french_speaking_member_is_written_and_emailed_in_french(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The catalogue may not be compiled yet: what is checked is the language active
    while the letter's HTML, its PDF and its email are made."""
    world.organization.language = "fr"
    world.organization.save()
    seen = {}
    real_html, real_pdf = rendering.render_html, rendering.render_pdf

    def html(*args, **kwargs):
        seen["html"] = translation.get_language()
        return real_html(*args, **kwargs)

    def pdf(*args, **kwargs):
        seen["pdf"] = translation.get_language()
        return real_pdf(*args, **kwargs)

    real_deadline = letters.letter_deadline

    def deadline(letter):
        seen["email"] = translation.get_language()
        return real_deadline(letter)

    monkeypatch.setattr(rendering, "render_html", html)
    monkeypatch.setattr(rendering, "render_pdf", pdf)
    monkeypatch.setattr(letters, "letter_deadline", deadline)
    case = world_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_review(case, world.staff)
    order = notice_order(case)
    assert order.language == "fr"
    assert seen == {"html": "fr", "pdf": "fr", "email": "fr"}
    assert translation.get_language() != "fr"  # and put back after
    assert mail.outbox  # the notice was emailed


def test_a_complainant_gets_the_language_chosen_else_the_associations(world, settings):
    case = world_case(world)
    ack = LetterOrder.objects.get(case=case, kind=LetterKind.ACKNOWLEDGEMENT)
    assert ack.language == settings.LANGUAGE_CODE
    case.complainant.language = "fr"
    case.complainant.save()
    assert rendering.complainant_recipient(fresh(case)).language == "fr"
    assert rendering.letter_language("xx") == settings.LANGUAGE_CODE  # not set up: the default


def test_staff_set_an_organizations_correspondence_language(world, client):
    url = reverse("organization_language", args=[world.organization.slug])
    client.force_login(world.rep)
    assert client.post(url, {"language": "fr"}).status_code in (403, 404)
    world.organization.refresh_from_db()
    assert world.organization.language == ""  # refused: nothing changed
    client.force_login(world.staff)
    page = client.get(reverse("organization_detail", args=[world.organization.slug]))
    assert said("Correspondence language") in text_of(page)
    assert client.post(url, {"language": "xx"}).status_code == 400  # not offered
    world.organization.refresh_from_db()
    assert world.organization.language == ""
    assert client.post(url, {"language": "fr"}).status_code == 302
    world.organization.refresh_from_db()
    assert world.organization.language == "fr"


def test_the_complaint_forms_language_defaults_to_the_filing_pages():
    from cases.forms import ComplaintForm

    with translation.override("fr"):
        assert ComplaintForm().fields["complainant_language"].initial == "fr"
    with translation.override("en-gb"):
        assert ComplaintForm().fields["complainant_language"].initial == "en-gb"
