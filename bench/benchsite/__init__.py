"""Bench-only Django site: the app's settings and URLs plus two reference pages (a
hello-world and a minimal case list). Mounted only by `DJANGO_SETTINGS_MODULE=benchsite.settings`
(bench/run puts bench/ on the path); never in the app's own URLs."""
