"""The demo's sanctions a member complies with (docs/decisions/0018): a member that
owes a fine and a course, and one in default, suspended until it pays."""

import pytest
from django.core.management import call_command

from cases.models import Compliance, LetterKind
from members.models import MembershipStatus, Organization

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_fine_with_a_course_owed_and_a_member_in_default(capsys):
    call_command("seed_demo")
    owed = Compliance.objects.filter(sanction__case__respondent__slug="dunmore-drives")
    assert sorted(owed.values_list("sanction__kind", flat=True)) == ["education", "fine"]
    assert all(c.outstanding and c.overdue_at is None for c in owed)

    harrow = Organization.objects.get(slug="harrow-pneumatics")
    assert harrow.status == MembershipStatus.SUSPENDED and harrow.in_default_since is not None
    default = Compliance.objects.get(sanction__case__respondent=harrow)
    assert default.in_default and default.consequence_applied_at is not None
    assert default.sanction.case.letters.filter(kind=LetterKind.NON_COMPLIANCE).count() == 1

    call_command("seed_demo")  # a second run changes nothing
    assert Compliance.objects.count() == 3
