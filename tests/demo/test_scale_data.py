"""`seed_scale` writes cases in bulk, without the services, but with the event
builders the services use (cases.events): every case's record verifies, and each
kind of event it writes has the same payload keys as the services write."""

import pytest
from django.core.management import call_command

from cases.models import Case, CaseEvent, CaseUserObjectPermission, CaseViewer
from cases.services import verify_case_record
from tests.factories.scenes import case_at_review, refer, sanctioned_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale_cases(tmp_path, settings):
    settings.PROBITY_PRIVATE_DIR = str(tmp_path / "private")
    call_command("seed_scale", organizations=30, cases=60, seed=7, verbosity=0)
    return list(Case.objects.all())


def test_every_scale_case_has_a_record_that_verifies(scale_cases):
    assert len(scale_cases) == 60
    assert {c.state for c in scale_cases} >= {"dismissed", "closed"}
    for case in scale_cases:
        check = verify_case_record(case)
        assert check.ok, (case.number, check.problem)


def _keys_by_kind(cases) -> dict[str, set[frozenset]]:
    out: dict[str, set[frozenset]] = {}
    for kind, payload in CaseEvent.objects.filter(case__in=cases).values_list("kind", "payload"):
        out.setdefault(kind, set()).add(frozenset(payload))
    return out


def test_scale_events_say_what_the_services_say(scale_cases, staff):
    # The services' own events, for the kinds a case at review and a decision write.
    decided = sanctioned_case(staff, "censure")
    reviewed = refer(case_at_review(staff), staff)
    services_keys = _keys_by_kind([decided.case, reviewed])
    scale_keys = _keys_by_kind(scale_cases)

    shared = set(services_keys) & set(scale_keys)
    assert {
        "filed",
        "transition",
        "allegation_added",
        "evidence_added",
        "ballot_opened",
        "vote_cast",
        "sanction_imposed",
        "close_ballot_effects",
    } <= shared
    for kind in shared:
        # A kind may vary (a transition with or without a reason), but every payload
        # shape the scale data writes is one the services write too.
        assert scale_keys[kind] <= services_keys[kind] | _optional_shapes(kind, services_keys), kind


def _optional_shapes(kind: str, services_keys) -> set[frozenset]:
    """Shapes the services write in paths the two sample cases do not take (a
    transition with a reason, a decision with no violation)."""
    if kind == "transition":
        return {frozenset({"step"}), frozenset({"step", "reason"})}
    if kind == "close_ballot_effects":
        return {frozenset({"ballot", "tally", "violation_found", "sanction"})}
    if kind == "access_revoked":
        return {frozenset({"user", "permissions", "why"})}
    return set()


def test_the_rows_it_writes_point_at_rows_that_exist(scale_cases):
    # The load skips the per-row foreign-key checks outside a transaction; the rows
    # it builds must not need them.
    from django.db import connection

    connection.check_constraints()


def test_the_forked_generator_builds_what_one_process_builds(tmp_path, settings):
    """--workers 1 or 3 (forked processes build the batches) and --workers 0 give the same
    rows, ids included. The personal fields' salts are random, so the columns that
    depend on them (salts, payloads, hashes, the record's head) are left out."""
    from django.db import connection

    from cases.management.commands import seed_scale as s
    from cases.models import PersonalField

    settings.PROBITY_PRIVATE_DIR = str(tmp_path / "private")
    call_command("seed_scale", organizations=20, seed=3, verbosity=0)
    seeder = s.ScaleSeeder(seed=3, batch_size=7, password="!")
    world = seeder.case_world(s._date_or_time("2026-11-20"))
    tables = {model: s._Table(model, connection) for model in s.CASE_TABLES}
    skip = {
        CaseEvent: {"payload", "previous_hash", "hash"},
        PersonalField: {"salt", "value"},
        Case: {"record_head"},
    }

    def built(workers):
        ids = s._Ids(connection, s.CASE_TABLES)
        batches = list(
            s._generate(
                world, tables, ids, set(), [[*range(i, i + 7)] for i in range(0, 21, 7)], workers
            )
        )
        out = []
        for batch in batches:
            for model, records in batch.records:
                keep = [
                    i
                    for i, name in enumerate(tables[model].attnames)
                    if name not in skip.get(model, ())
                ]
                out.append((model.__name__, [tuple(r[i] for i in keep) for r in records]))
            out.append(("years", sorted(batch.years.items())))
        return out

    alone = built(0)
    assert sum(len(records) for _, records in alone) > 21 * 10
    # One forked generator, and three taking the batches in turn (numbering handed on).
    assert built(1) == alone
    assert built(3) == alone


def test_scale_data_lists_each_case_for_those_who_may_view_it(scale_cases):
    """A CaseViewer row for each view_case a user holds, as the grant service keeps it."""
    held = set(
        CaseUserObjectPermission.objects.filter(permission__codename="view_case").values_list(
            "user_id", "content_object_id", "content_object__filed_at"
        )
    )
    assert held
    assert set(CaseViewer.objects.values_list("user_id", "case_id", "filed_at")) == held


# Serial, as every transactional test is: its closing flush empties the role groups the
# next tests on the same worker need (tests/conftest.py, role_groups_after_flush).
@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_a_load_into_empty_tables_builds_their_indexes_after(tmp_path, settings, monkeypatch):
    """Outside a transaction, into empty case tables, the plain indexes are dropped for
    the load and built again after: the same indexes as before, and rows that verify."""
    from django.db import connection

    from cases.management.commands.seed_scale import CASE_TABLES, _secondary_indexes

    def indexes():  # by name: PostgreSQL words a rebuilt partial index's condition anew
        return {
            model: sorted(name for name, _ in _secondary_indexes(connection, model._meta.db_table))
            for model in CASE_TABLES
        }

    settings.PROBITY_PRIVATE_DIR = str(tmp_path / "private")
    before = indexes()
    assert len(before[Case]) > 5
    seen = []
    from cases.management.commands import seed_scale

    original = seed_scale.ScaleSeeder._write_batch

    def spy(self, tables, ids, batch):
        seen.append(len(_secondary_indexes(connection, Case._meta.db_table)))
        return original(self, tables, ids, batch)

    monkeypatch.setattr(seed_scale.ScaleSeeder, "_write_batch", spy)
    call_command("seed_scale", organizations=20, cases=30, seed=5, verbosity=0)
    assert seen and set(seen) == {0}  # no plain index while the rows were written
    assert indexes() == before
    connection.check_constraints()
    for case in Case.objects.all():
        assert verify_case_record(case).ok, case.number


def test_a_generator_that_fails_is_reported_and_the_others_end(tmp_path, settings):
    """The second of two generators meets a case number already in use: the parent
    raises its error (after writing nothing of that batch), and no process is left
    waiting."""
    from django.core.management.base import CommandError
    from django.db import connection

    from cases.management.commands import seed_scale as s

    settings.PROBITY_PRIVATE_DIR = str(tmp_path / "private")
    call_command("seed_scale", organizations=20, seed=3, verbosity=0)
    world = s.ScaleSeeder(seed=3, batch_size=7, password="!").case_world(
        s._date_or_time("2026-11-20")
    )
    tables = {model: s._Table(model, connection) for model in s.CASE_TABLES}
    taken = {s.CasePlan(world, 9).simulate().case["number"]}
    batches = [[*range(i, i + 7)] for i in range(0, 28, 7)]
    received = []
    with pytest.raises(CommandError, match="already used"):
        for batch in s._generate(
            world, tables, s._Ids(connection, s.CASE_TABLES), taken, batches, 2
        ):
            received.append(batch)
    assert len(received) == 1  # batch 0; batch 1 (indices 7-13) is the one that failed
