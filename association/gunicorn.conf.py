"""gunicorn's configuration for Probity (docs/deploy/README.md, docs/decisions/0016).

    .venv/bin/gunicorn -c association/gunicorn.conf.py

Every value can be set from the environment; the defaults suit one machine behind
nginx on the same host."""

import multiprocessing
import os

wsgi_app = "association.wsgi:application"
# Behind the reverse proxy on this host (docs/deploy/nginx.conf); a unix socket also works:
# PROBITY_BIND=unix:/run/probity/gunicorn.sock
bind = os.environ.get("PROBITY_BIND", "127.0.0.1:8000")
# Sync workers: each request is short now that letters are mailed by the task worker.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("PROBITY_WEB_THREADS", 1))
timeout = int(os.environ.get("PROBITY_WEB_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (bounds any slow leak).
max_requests = int(os.environ.get("PROBITY_WEB_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Trust X-Forwarded-* only from the proxy on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Django reads the settings module itself; production mode comes from PROBITY_ENV.
raw_env = ["DJANGO_SETTINGS_MODULE=association.settings"]
# Access log on stdout, with the request id Probity echoes (X-Request-ID).
accesslog = os.environ.get("PROBITY_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
# Let the kernel hand connections to the workers in turn.
reuse_port = False
