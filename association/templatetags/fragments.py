"""Keys for cached fragments of rendered rows (issue 15; docs/decisions/0036).

    {% load cache fragments %}
    {% cache 86400 portal-sanctions sanctions|fragment_key %}{% include "…" %}{% endcache %}

The page still reads its rows from the database on every request; what is kept is
only the HTML they rendered to, under a digest of every column of every row (and of
the rows read with them, select_related) and of what else shapes that HTML: the
language, the time zone, today's date. A row changed, added or removed, or a sanction
taken back, changes the key, so the next request renders afresh: nothing needs to be
told of a write. A fragment must render from its rows and constants alone (no form,
no CSRF token, nothing a template would fetch that was not read with the rows).
"""

from __future__ import annotations

import dataclasses
import hashlib

from django import template
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db.models import Model
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.functional import Promise

register = template.Library()


@receiver(setting_changed, dispatch_uid="probity_fragments_setting_changed")
def _forget(**kwargs):
    """A setting a fragment reads (the currency, the formats) is not in its key: the
    fragments go when any setting changes (only tests change them while running)."""
    caches["template_fragments"].clear()


def _columns(row, seen: frozenset = frozenset()) -> list:
    """What a model instance holds: its columns and annotations (not Django's own
    `_state` and caches), then the related rows read with it. A row met again on the
    way (a reverse relation points back at its parent) is named by its key alone: its
    columns are already in."""
    if id(row) in seen:
        return [type(row).__qualname__, row.pk]
    seen = seen | {id(row)}
    values = [type(row).__qualname__]
    values += [(k, v) for k, v in row.__dict__.items() if not k.startswith("_")]
    for name, related in sorted(row._state.fields_cache.items()):
        values.append((name, None if related is None else _columns(related, seen)))
    return values


def _shape(value):
    """What a value the page renders holds, in a form whose repr shows all of it (an
    object of any other kind reprs with its address: its fragment is never reused)."""
    if isinstance(value, Model):
        return _columns(value)
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return [type(value).__qualname__] + [
            (f.name, _shape(getattr(value, f.name))) for f in fields
        ]
    if isinstance(value, Promise):  # a lazy translation: as the reader reads it
        return str(value)
    return value


@register.filter
def fragment_key(rows) -> str:
    """A digest of `rows` (model instances, or dicts and dataclasses of them; or one
    instance) as the page renders them today."""
    if isinstance(rows, Model):
        rows = [rows]
    digest = hashlib.blake2b(digest_size=16)
    digest.update(
        repr(
            (
                translation.get_language(),
                timezone.get_current_timezone_name(),
                timezone.localdate().isoformat(),
            )
        ).encode()
    )
    for row in rows:
        digest.update(repr(_shape(row)).encode())
    return digest.hexdigest()
