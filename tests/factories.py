"""factory_boy factories for the domain. Statuses other than `applicant` and
`active` are reached through the services in tests, so history rows exist."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from members.models import DuesInvoice, MembershipClass, Organization, Representative
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


def staff_user(**kwargs) -> User:
    return UserFactory(roles=[ETHICS_STAFF], **kwargs)


def board_user(**kwargs) -> User:
    return UserFactory(roles=[BOARD], **kwargs)


def panel_user(**kwargs) -> User:
    return UserFactory(roles=[APPEALS_PANEL], **kwargs)


class MembershipClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipClass
        django_get_or_create = ("slug",)

    name = "Manufacturer"
    slug = "manufacturer"


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An active member by default (joined three years ago)."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n:05d}")
    slug = factory.Sequence(lambda n: f"organization-{n:05d}")
    website = "https://example.org"
    membership_class = factory.SubFactory(MembershipClassFactory)
    joined_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=3 * 365)
    )
    status = "active"
    status_since = factory.LazyAttribute(lambda o: o.joined_on)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    is_primary = True


class DuesInvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesInvoice

    organization = factory.SubFactory(OrganizationFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = Decimal("1200.00")
    issued_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 5))
    due_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 31))
    paid_on = None
