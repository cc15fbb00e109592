"""Checking an uploaded file: its size and its real type (from its first bytes, not
its name or the browser's claim), and its SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TYPE_NAMES = {
    "application/pdf": gettext_lazy("PDF"),
    "image/png": gettext_lazy("PNG image"),
    "image/jpeg": gettext_lazy("JPEG image"),
    "image/gif": gettext_lazy("GIF image"),
    "text/plain": gettext_lazy("plain text"),
    "text/html": gettext_lazy("saved web page (HTML)"),
    "message/rfc822": gettext_lazy("email message (.eml)"),
    "application/zip": gettext_lazy("ZIP archive or Office document"),
    "application/octet-stream": gettext_lazy("unrecognised binary file"),
}


@dataclass(frozen=True)
class UploadInfo:
    sha256: str
    size: int
    content_type: str


def detect_type(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            return "application/octet-stream"
        text = head[: exc.start].decode("utf-8")
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html")):
        return "text/html"
    first_line = start.split("\n", 1)[0]
    if first_line.startswith(
        (
            "from:",
            "received:",
            "return-path:",
            "message-id:",
            "date:",
            "mime-version:",
            "delivered-to:",
        )
    ):
        return "message/rfc822"
    return "text/plain"


def inspect_upload(uploaded) -> UploadInfo:
    """Check one uploaded file against the settings' limits; refuse it with a message
    that says which limit it broke."""
    name = getattr(uploaded, "name", None) or _("the file")
    limit = settings.PROBITY_UPLOAD_MAX_BYTES
    if uploaded.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if uploaded.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the upload size limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    content_type = detect_type(head)
    allowed = settings.PROBITY_UPLOAD_ALLOWED_TYPES
    if content_type not in allowed:
        accepted = ", ".join(str(TYPE_NAMES.get(t, t)) for t in allowed)
        raise ValidationError(
            _(
                "“%(name)s” is of a type that is not accepted: %(type)s. Accepted types: %(accepted)s."
            )
            % {
                "name": name,
                "type": TYPE_NAMES.get(content_type, content_type),
                "accepted": accepted,
            }
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return UploadInfo(sha256=digest.hexdigest(), size=uploaded.size, content_type=content_type)
