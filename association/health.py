"""GET /health/: is this server able to work? JSON, no secrets (docs/decisions/0016).

Reports the database (a query), the private storage (a file written, read and removed)
and the task worker (the newest heartbeat's age). 200 when the database and the storage
work ("ok", or "degraded" when no worker has beaten lately: letters wait in the queue),
503 when either fails, so a load balancer takes this server out."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases.models import (
    Dispatch,
    DispatchStatus,
    LetterOrder,
    LetterOrderStatus,
    WorkerHeartbeat,
    private_storage,
)


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _storage() -> dict:
    name = f"health/{uuid.uuid4().hex}.txt"
    storage = private_storage()
    try:
        saved = storage.save(name, ContentFile(b"ok"))
        try:
            with storage.open(saved, "rb") as f:
                ok = f.read() == b"ok"
        finally:
            storage.delete(saved)
        return {"ok": ok}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _worker() -> dict:
    try:
        last = WorkerHeartbeat.objects.order_by("-beat_at").first()
        waiting = Dispatch.objects.filter(
            status__in=(DispatchStatus.QUEUED, DispatchStatus.RETRYING, DispatchStatus.SENDING)
        ).count()
        # Letters still being prepared wait for the worker too (docs/decisions/0027).
        waiting += LetterOrder.objects.filter(
            letter__isnull=True,
            status__in=(LetterOrderStatus.PREPARING, LetterOrderStatus.RETRYING),
        ).count()
        failed = Dispatch.objects.filter(status=DispatchStatus.FAILED).count()
        failed += LetterOrder.objects.filter(
            letter__isnull=True, status=LetterOrderStatus.FAILED
        ).count()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    if last is None:
        return {
            "ok": False,
            "last_heartbeat": None,
            "letters_waiting": waiting,
            "letters_failed": failed,
        }
    age = (timezone.now() - last.beat_at).total_seconds()
    return {
        "ok": age <= settings.PROBITY_WORKER_STALE_SECONDS,
        "last_heartbeat": last.beat_at.isoformat(),
        "age_seconds": round(age, 1),
        "letters_waiting": waiting,
        "letters_failed": failed,
    }


@never_cache
@require_GET
def health(request):
    checks = {"database": _database(), "storage": _storage()}
    checks["worker"] = _worker() if checks["database"]["ok"] else {"ok": False}
    if not (checks["database"]["ok"] and checks["storage"]["ok"]):
        status = "down"
    elif settings.PROBITY_TASKS_BACKEND == "database" and not checks["worker"]["ok"]:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "down" else 200
    )
