"""Issue 13: what a step stores stays in English whatever the language of the page it
was taken from, and the emails it sends are written in the association's language
(settings.LANGUAGE_CODE), not in that of the person who took it. Django's own French
catalogue (month names) is enough to tell the languages apart here."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from cases.forms import PrincipleChoiceField
from cases.models import Evidence, Principle
from cases.templatetags.deadlines import due
from tests.factories.hearings import (
    case_at_hearing,
    heard_and_referred,
    hearing_procedure,
    hold_hearing,
    set_hearing,
)

pytestmark = pytest.mark.django_db


def _english(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_a_hearing_record_kept_from_a_french_page_is_titled_in_english(world):
    hearing_procedure()
    case = case_at_hearing(world)
    set_hearing(case, world.staff)

    with translation.override("fr"):
        kept = hold_hearing(case, world.staff)

    title = Evidence.objects.get(pk=kept.minutes_id).title
    assert title == f"Record of the hearing of {_english(kept.local_start.date())}"


def test_the_ballot_notice_is_in_the_association_language_not_the_clerks(
    world, django_capture_on_commit_callbacks
):
    hearing_procedure()
    mail.outbox.clear()

    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        case = heard_and_referred(world)

    notices = [m for m in mail.outbox if m.subject == f"Ballot open: case {case.number}"]
    assert notices, [m.subject for m in mail.outbox]
    closes = case.ballots.get().closes_on
    assert f"The ballot closes on {_english(closes)}." in notices[0].body


def test_an_association_in_french_writes_its_notices_in_french(
    world, settings, django_capture_on_commit_callbacks
):
    hearing_procedure()
    settings.LANGUAGE_CODE = "fr"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case = heard_and_referred(world)

    closes = case.ballots.get().closes_on
    with translation.override("fr"):
        month = f"{closes:%B}"  # the English name; Django's catalogue gives the French
        french = translation.gettext(month).lower()
    notices = [m for m in mail.outbox if case.number in m.subject and m.to]
    assert any(f"{closes.day} {french} {closes.year}" in m.body for m in notices), [
        m.body for m in notices
    ]


def test_dates_on_french_pages_use_the_french_named_formats():
    day = datetime.date(2026, 12, 15)
    principle = Principle(number="3", title="Safety first", effective_on=day)

    with translation.override("fr"):
        label = PrincipleChoiceField(queryset=Principle.objects.none()).label_from_instance(
            principle
        )
        deadline = due(day)

    assert label == "3. Safety first (en vigueur depuis le 15 déc. 2026)" or label.startswith(
        "3. Safety first (in effect from 15 déc. 2026"
    )
    assert deadline.startswith("15 décembre 2026 (")


def test_the_words_of_a_day_are_remembered_per_language_and_per_day():
    # closes_in and day keep each wording (My ballots repeats a few days on every row):
    # the same day in another language, or on another day, is worded afresh.
    from django.utils import timezone

    from cases.templatetags.deadlines import closes_in
    from cases.templatetags.deadlines import day as day_of

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=9)
    moment = timezone.make_aware(datetime.datetime(2026, 12, 15, 23, 30))
    with translation.override("en"):
        english = (closes_in(soon), day_of(moment), closes_in(soon))
    with translation.override("fr"):
        french = (closes_in(soon), day_of(moment))
    assert english[0] == english[2] and english[0].startswith("closes in 9 days, ")
    assert english[1] == _english(moment.date())
    assert french[0].startswith("clôture dans 9 jours, le ")
    assert french[1] == "15 décembre 2026"
    with translation.override("en"):
        assert closes_in(soon + datetime.timedelta(days=1)).startswith("closes in 10 days, ")
