"""Fixtures every test may use. Helpers and factories are in tests/factories/ (import
them by name); this file holds the fixtures, and the rules that hold for every test:

- one storage: evidence, attachments and letters go to the test's temporary folder;
- passwords are hashed cheaply (tests make many users; real hashing costs most of a
  second each);
- letters are rendered by a fast stub unless the test is marked `real_pdf` (see
  `letter_renderer`); letters are still issued, stored, hashed and permissioned by the
  real code either way;
- tasks (the letters' delivery) run at once in the caller, by django-tasks' immediate
  backend (`tasks_run_at_once`); a test that needs the queue's real database backend
  asks for `database_tasks`;
- on PostgreSQL, commits do not wait for the disk (`synchronous_commit = off`);
- every test starts and ends in the default language (`default_language`): a request
  answered in French leaves French active in its thread, which would otherwise leak
  into the next test's messages.
"""

import hashlib

import pytest
from django.conf import settings as django_settings
from django.db.backends.signals import connection_created
from django.utils import translation

from cases import rendering
from tests.factories.cases import CodeOfEthicsFactory, PrincipleFactory, ProcedureFactory, file_case
from tests.factories.cases import allegation as allegation_input
from tests.factories.dates import days, today
from tests.factories.language import client_language as client_language_of_run
from tests.factories.letters import STUB_PDF_MARK, make_world
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import UserFactory, board_user, panel_user, staff_user

# ---------------------------------------------------------------------------
# Rules for every test
# ---------------------------------------------------------------------------


def _commits_without_waiting_for_the_disk(sender, connection, **kwargs):
    """PostgreSQL: a test's commits do not wait for the write-ahead log to reach the
    disk (`synchronous_commit = off`, this connection only). Transactional tests (the
    browser tests, the concurrency tests) commit every factory row and end with a
    flush; waiting for each commit made their setup five times slower than on SQLite.
    A crash loses nothing a test needs: its database is thrown away."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


connection_created.connect(_commits_without_waiting_for_the_disk)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """The one storage: evidence, attachments, letters and the letterhead logo are written
    under the test's temporary folder, never var/ (cases.models.PrivateStorage reads the
    setting each time it is used). Returns the folder."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_STORAGE_ROOT = root
    return root


@pytest.fixture(autouse=True)
def default_language():
    """Each test in the default language, whatever the previous one activated."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def client_language(monkeypatch):
    """PROBITY_TEST_LANGUAGE=fr: the test client asks for French in every request
    (Accept-Language), as a French browser would (tests/factories/language.py says how a
    test reads a page's words then)."""
    language = client_language_of_run()
    if language == django_settings.LANGUAGE_CODE:
        return
    from django.test import Client

    plain = Client.__init__

    def init(self, *args, **defaults):
        defaults.setdefault("HTTP_ACCEPT_LANGUAGE", language)
        plain(self, *args, **defaults)

    monkeypatch.setattr(Client, "__init__", init)


@pytest.fixture(autouse=True)
def no_activity_writes_in_query_counts(request, monkeypatch):
    """A query-count test counts what a page costs. A privileged session also notes its
    activity at most once a minute (members.accounts.PrivilegedSessionMiddleware): three
    queries that fell into a count whenever a slow setup, on a loaded machine, took
    longer than that. Those tests get the note once, at sign-in."""
    counting = {"django_assert_num_queries", "django_assert_max_num_queries"}
    if counting & set(request.fixturenames) or hasattr(request.module, "CaptureQueriesContext"):
        from members.accounts import PrivilegedSessionMiddleware

        monkeypatch.setattr(PrivilegedSessionMiddleware, "TOUCH_SECONDS", 10**9)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make many users (each with a password); the browser tests log in with it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def use_task_backend(settings, backend: str) -> None:
    """Point the default task backend at `backend` ("immediate" or "database"), dropping
    the backend django-tasks built for an earlier setting."""
    from django_tasks import task_backends

    settings.PROBITY_TASKS_BACKEND = backend
    settings.TASKS = {
        "default": {
            "BACKEND": {
                "immediate": "django_tasks.backends.immediate.ImmediateBackend",
                "database": "django_tasks_db.DatabaseBackend",
            }[backend]
        }
    }
    if hasattr(task_backends._connections, "default"):
        delattr(task_backends._connections, "default")


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Tasks run synchronously, in the caller (django-tasks' immediate backend)."""
    use_task_backend(settings, "immediate")
    yield
    use_task_backend(settings, "immediate")


@pytest.fixture
def database_tasks(settings, tasks_run_at_once):
    """The queue's database backend: enqueued tasks wait in the table for a worker."""
    use_task_backend(settings, "database")
    yield
    use_task_backend(settings, "immediate")


def stub_render_pdf(html, head=None):
    """A few bytes standing for the letter: distinct letters give distinct bytes."""
    digest = hashlib.sha256(html.encode()).hexdigest().encode()
    return STUB_PDF_MARK + b" for tests\n% " + digest + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def letter_renderer(request, monkeypatch):
    """WeasyPrint (cases.rendering.render_pdf) runs only for tests marked `real_pdf`: those
    that read the PDF itself (its text, its structure, its PDF/A metadata). Everyone
    else gets stub_render_pdf, a few bytes that stand for the HTML."""
    if request.node.get_closest_marker("real_pdf") is None:
        monkeypatch.setattr(rendering, "render_pdf", stub_render_pdf)


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
def second_factor_force_login(request, monkeypatch):
    """`client.force_login(user)` signs in as the two-step login would: with a verified
    second factor (an authenticator is set up for the user if they have none), so that
    staff, board and panel reach their pages (members.accounts requires it). Tests of the
    second factor itself are marked `password_only` and get Django's plain force_login,
    a session without a verified second factor."""
    if request.node.get_closest_marker("password_only") is not None:
        return
    from django.test import Client

    from tests.factories.people import verified_session

    plain = Client.force_login

    def force_login(self, user, backend=None):
        plain(self, user, backend)
        verified_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return staff_user("staff")


@pytest.fixture
def other_staff(db):
    return staff_user("other.staff")


@pytest.fixture
def board(db):
    return board_user("board.member", first_name="Grace", last_name="Adams")


@pytest.fixture
def board_member(db):
    return board_user("board.member")


@pytest.fixture
def panel(db):
    return panel_user("panel.member")


@pytest.fixture
def panel_member(db):
    return panel_user("panel.member")


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# ---------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme Robotics", slug="acme-robotics")


@pytest.fixture
def representative(organization):
    return RepresentativeFactory(organization=organization, user__username="acme.rep").user


@pytest.fixture
def respondent_rep(organization):
    """A second representative of the respondent (`representative` is the first)."""
    return RepresentativeFactory(
        organization=organization, is_primary=False, user__username="acme.deputy"
    ).user


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Globex Automation", slug="globex-automation")


@pytest.fixture
def other_representative(other_organization):
    return RepresentativeFactory(organization=other_organization, user__username="globex.rep").user


@pytest.fixture
def other_rep(db):
    other = OrganizationFactory(name="Globex Automation", slug="globex-automation")
    return RepresentativeFactory(organization=other, user__username="globex.rep").user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def board_client(client, board):
    client.force_login(board)
    return client


@pytest.fixture
def rep_client(client, representative):
    client.force_login(representative)
    return client


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


@pytest.fixture
def procedure(db):
    """Version 1, in force for five years, with a response window that is not the
    default (so a test can tell it is read from the procedure)."""
    return ProcedureFactory(version=1, response_window_days=21, filing_deadline_days=180)


@pytest.fixture
def code(db):
    return CodeOfEthicsFactory(version="2016.1", adopted_on=today() - days(10 * 365))


@pytest.fixture
def principle(code):
    return PrincipleFactory(code=code, number="3", title="Truthful advertising")


@pytest.fixture
def case(staff, organization, representative, procedure, principle):
    """A complaint against Acme Robotics, just filed, with one disclosed PDF."""
    return file_case(by=staff, respondent=organization, allegations=[allegation_input(principle)])


@pytest.fixture
def world(db):
    """The letters world (tests.factories.letters.World): staff, the respondent with two
    representatives, another member, a board of three, a panel of three, the procedure,
    the principle and a letterhead."""
    return make_world()


def pytest_collection_modifyitems(config, items):
    """Every transactional test is `serial`: it ends with a flush that empties the role
    groups (role_groups_after_flush), which would fail the next tests on its xdist worker."""
    loose = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or {
            "transactional_db",
            "live_server",
        } & set(getattr(item, "fixturenames", ()))
        if transactional and item.get_closest_marker("serial") is None:
            loose.append(item.nodeid)
    if loose:
        raise pytest.UsageError("Transactional tests must be marked serial: " + ", ".join(loose))
