"""The respondent's deadline and "what happens next" at the comment and hearing stages
(cases.selectors.respondent_deadline, what_happens_next), on its case page."""

from __future__ import annotations

from django.urls import reverse

from cases.selectors import respondent_deadline, what_happens_next
from tests.factories.cases import fresh
from tests.factories.dates import days, today
from tests.factories.hearings import (
    case_at_hearing,
    comment_window_passes,
    disclose,
    hearing_procedure,
    reviewed_case,
    set_hearing,
)
from tests.factories.language import said
from tests.factories.pages import text_of


def _page(client, user, case) -> str:
    client.force_login(user)
    return text_of(client.get(reverse("cases:case_detail", args=[case.number])))


def test_a_disclosed_review_sets_the_comment_deadline(client, world):
    hearing_procedure("off", respondent_comments_on_review=True, review_comment_days=14)
    case = reviewed_case(world)
    disclose(case, world.staff)
    deadline = respondent_deadline(fresh(case))
    assert (deadline.kind, deadline.day) == ("comment", today() + days(14))
    assert what_happens_next(fresh(case))["day"] == today() + days(14)
    assert said("Your comment on the review is due by") in _page(client, world.rep, case)
    comment_window_passes(case)
    assert respondent_deadline(fresh(case)) is None or (
        respondent_deadline(fresh(case)).kind == "response"
    )


def test_at_the_hearing_stage_the_deadline_is_naming_people_then_the_day(client, world):
    hearing_procedure("always")
    case = case_at_hearing(world)
    hearing = set_hearing(case, world.staff)
    deadline = respondent_deadline(fresh(case))
    assert (deadline.kind, deadline.day) == ("participants", hearing.participants_due_on)
    page = _page(client, world.rep, case)
    assert said("Name who comes to the hearing by") in page
    type(hearing).objects.filter(pk=hearing.pk).update(participants_due_on=today() - days(1))
    deadline = respondent_deadline(fresh(case))
    assert (deadline.kind, deadline.day) == ("hearing", hearing.local_start.date())
    assert what_happens_next(fresh(case))["day"] == hearing.local_start.date()
