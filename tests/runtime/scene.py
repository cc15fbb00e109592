"""Run as a script against a database of its own (the environment's DATABASE_URL or
SQLITE_PATH): `scene.py build` issues letters whose delivery waits on the queue;
`scene.py check` prints, as JSON, what the record, the letter orders and the deliveries
say. The letters are ordered in the step and prepared by the worker (docs/decisions/0027). The worker
tests run it in a subprocess, beside real worker processes."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "association.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402


def stub_render_pdf(html, head=None):
    return b"%PDF-1.7 stub\n% " + hashlib.sha256(html.encode()).hexdigest().encode() + b"\n%%EOF\n"


def build(cases: int) -> dict:
    from django.db import transaction

    from cases import rendering
    from tests.factories.cases import open_review
    from tests.factories.letters import make_world, world_case

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    rendering.render_pdf = stub_render_pdf
    world = make_world()
    numbers = []
    for _ in range(cases):
        with transaction.atomic():
            case = world_case(world)
        with transaction.atomic():
            open_review(case, world.staff)
        numbers.append(case.number)
    return {"cases": numbers}


def check() -> dict:
    from cases.models import Case, CaseEvent, Delivery, Letter, LetterOrder
    from cases.services.record import verify_case_record

    letters = {}
    for letter in Letter.objects.select_related("dispatch").order_by("pk"):
        sent = list(
            Delivery.objects.filter(letter=letter, succeeded=True).values_list(
                "recipient", flat=True
            )
        )
        letters[str(letter.pk)] = {
            "case": letter.case_id,
            "kind": letter.kind,
            "emails": letter.recipient_emails,
            "status": letter.dispatch.status,
            "attempts": letter.dispatch.attempts,
            "sent_to": sorted(sent),
            "issued_events": CaseEvent.objects.filter(
                case_id=letter.case_id, kind="letter_issued", payload__letter=letter.pk
            ).count(),
        }
    orders = {
        str(order.pk): {
            "status": order.status,
            "attempts": order.attempts,
            "letter": order.letter_id,
            "kind": order.kind,
            "case": order.case_id,
        }
        for order in LetterOrder.objects.order_by("pk")
    }
    checks = [verify_case_record(c) for c in Case.objects.all()]
    problems = [c.problem for c in checks if not c.ok]
    return {
        "letters": letters,
        "orders": orders,
        "records_ok": not problems,
        "problems": problems,
    }


if __name__ == "__main__":
    if sys.argv[1] == "build":
        print(json.dumps(build(int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
    else:
        print(json.dumps(check()))
