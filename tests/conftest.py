import pytest

from tests.factories import OrganizationFactory, RepresentativeFactory, staff_user


@pytest.fixture
def staff(db):
    return staff_user(username="staff")


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme Robotics", slug="acme-robotics")


@pytest.fixture
def representative(organization):
    return RepresentativeFactory(organization=organization, user__username="acme.rep").user
