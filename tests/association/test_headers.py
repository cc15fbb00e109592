"""Content-Security-Policy and Permissions-Policy (docs/decisions/0013): on every page,
the same in development and production; the evidence downloads and letter previews keep
their own stricter policy; and no template has inline script or style for the policy to
break (the browser check is tests/browser/test_csp.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from cases.models import LetterKind
from tests.association.test_error_pages import PRODUCTION, settings_in
from tests.factories.cases import open_review

ROOT = Path(__file__).resolve().parents[2]
STRICT = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DENIED = ["camera", "microphone", "geolocation", "payment", "usb"]


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/members/", "/verify/", "/no/such/page/"])
def test_every_page_has_the_strict_policy_and_the_permissions_policy(client, url):
    response = client.get(url)
    assert directives(response["Content-Security-Policy"]) == directives(STRICT)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    for feature in DENIED:
        assert f"{feature}=()" in policy


def test_production_sends_the_same_headers(tmp_path):
    """The middleware and the policy are not development-only, nor report-only there."""
    env = {"PROBITY_VAR_DIR": str(tmp_path), **PRODUCTION}
    middleware = settings_in(env, "s.MIDDLEWARE")
    assert "csp.middleware.CSPMiddleware" in middleware
    assert "association.middleware.PermissionsPolicyMiddleware" in middleware
    dev = settings_in({"PROBITY_VAR_DIR": str(tmp_path)}, "s.CONTENT_SECURITY_POLICY")
    assert settings_in(env, "s.CONTENT_SECURITY_POLICY") == dev
    assert settings_in(env, "getattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY', None)") is None
    assert settings_in(env, "s.PERMISSIONS_POLICY")["camera"] == []


@pytest.mark.django_db
def test_evidence_downloads_keep_their_sandbox(staff_client, case):
    evidence = case.evidence.first()
    response = staff_client.get(reverse("cases:evidence_download", args=[case.number, evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


@pytest.mark.django_db
def test_letter_previews_keep_their_own_policy(staff_client, staff, case):
    case = open_review(case, staff)
    response = staff_client.get(
        reverse("cases:letter_preview", args=[case.number, LetterKind.NOTICE_OF_COMPLAINT])
    )
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_page_template_has_inline_script_or_style():
    """Letters (templates/letters/) are rendered to PDF, not served as pages (their
    preview has its own policy), so they may carry their CSS."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if "letters" in path.relative_to(ROOT / "templates").parts:
            continue
        text = path.read_text()
        for pattern, what in INLINE:
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []
