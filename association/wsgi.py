"""WSGI entry point: `gunicorn association.wsgi` (or any WSGI server)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "association.settings")
application = get_wsgi_application()
# What loading made (Django, the apps, their modules) lives as long as the process:
# out of the collector's sight, so its full collections, which a page's allocations
# trigger every few dozen requests, no longer walk ~150,000 objects (issue 15).
gc.freeze()
