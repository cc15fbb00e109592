"""The notice of hearing says when (in the hearing's own time zone), where, who sits,
the parties' rights and the date for naming people; after a postponement, what it
replaces and why. User text is escaped."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from cases import rendering, services
from cases.models import LetterKind
from tests.factories.cases import fresh
from tests.factories.dates import days, today
from tests.factories.hearings import case_at_hearing, hearing_input, hearing_procedure, set_hearing

pytestmark = pytest.mark.django_db


def _html(case, recipient):
    return rendering.render_html(fresh(case), LetterKind.NOTICE_OF_HEARING, recipient)


def test_the_notice_says_when_where_who_sits_and_the_parties_rights(world):
    hearing_procedure(hearing_notice_days=21)
    case = case_at_hearing(world)
    day = today() + days(30)
    set_hearing(
        case,
        world.staff,
        ahead=30,
        time=datetime.time(9, 15),
        time_zone="America/New_York",
        place="Room <b>4</b>",
        video_link="https://meet.example/hearing",
    )

    html = _html(case, rendering.respondent_recipient(fresh(case)))

    # The time carries its zone's abbreviation (EST or EDT, as the day falls), then the zone.
    zone = datetime.datetime.combine(day, datetime.time(9, 15), ZoneInfo("America/New_York"))
    assert f"{day.day} {day:%B %Y}, 09:15 {zone.tzname()} (America/New_York)" in html
    assert "Room &lt;b&gt;4&lt;/b&gt;" in html and "<b>4</b>" not in html
    assert "https://meet.example/hearing" in html
    for member in world.board:
        assert member.get_full_name() in html
    assert "present witnesses" in html and "counsel" in html
    assert f"by {(day - days(7)).day} {(day - days(7)):%B %Y}" in html
    assert "Sign in to Probity" in html
    assert "Sign in to Probity" not in _html(case, rendering.complainant_recipient(fresh(case)))


def test_the_new_notice_after_a_postponement_says_what_it_replaces_and_why(world):
    hearing_procedure()
    case = case_at_hearing(world)
    set_hearing(case, world.staff)
    services.hearing_postpone(
        case=fresh(case),
        by=world.staff,
        reason="The panel chair is unwell.",
        hearing=hearing_input(case, ahead=40),
    )

    html = _html(case, rendering.respondent_recipient(fresh(case)))

    assert "Notice of hearing: new date" in html
    assert "is postponed. Reason: " in html and "The panel chair is unwell." in html


def test_a_preview_before_any_hearing_says_none_is_set(world):
    hearing_procedure()
    case = case_at_hearing(world)

    assert "No hearing is set in case" in _html(case, rendering.respondent_recipient(case))
