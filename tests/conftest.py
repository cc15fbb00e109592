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
def role_groups_after_flush(request):
    """The role groups members/migrations/0002 makes, for every transactional test.

    A transactional test (live_server, the concurrency tests) ends with a flush, which
    empties every table: Django's post_migrate signal puts content types and
    permissions back, but not the groups a data migration made. Serialized rollback
    would restore them only into an empty database, which a plain flush does not
    leave; so the tests do without it, and the groups are made here.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from members.roles import ROLE_GROUPS

    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


@pytest.fixture(autouse=True)
def private_storage_in_tmp(settings, tmp_path_factory):
    """Evidence and letters written by tests go to a temporary folder, never var/."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path_factory.mktemp("private")
