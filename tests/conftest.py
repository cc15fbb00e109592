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


@pytest.fixture(autouse=True)
def private_storage_in_tmp(settings, tmp_path_factory):
    """Evidence and letters written by tests go to a temporary folder, never var/."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path_factory.mktemp("private")
