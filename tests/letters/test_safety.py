"""Safe rendering (issue 5): the renderer fetches only Probity's own letter assets, so
user text containing HTML cannot make it read a local file or reach the network, and
user text is escaped anyway."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cases import rendering
from cases.models import Letterhead, LetterKind
from cases.rendering import ASSETS_DIR, LetterAssetFetcher, RefusedURL
from tests.factories.cases import open_review
from tests.factories.letters import letter, logo_png, pdf_text, qdf, qpdf_check, world_case

MALICIOUS = (
    'See <link rel="attachment" href="file:///etc/passwd"> and '
    '<img src="http://127.0.0.1:9/x"> then <style>body{display:none}</style> end of text.'
)
ALLOWED = {"probity-asset:letter.css", "probity-asset:logo"}
PASSWD_MARKER = "root:x:0:0"


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the letter fetcher is asked for, in order (the real fetch still runs)."""
    seen: list[str] = []
    original = LetterAssetFetcher.fetch

    def recording(self, url, headers=None):
        seen.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(LetterAssetFetcher, "fetch", recording)
    return seen


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything opens a socket connection or a URL."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if len(args) > 1 else args)
        raise AssertionError(f"network access attempted: {args[1:]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


# ---------------------------------------------------------------------------
# The fetcher on its own
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.org/x",
        "data:text/css;base64,Ym9keXtjb2xvcjpyZWR9",
        "data:image/png;base64,iVBORw0KGgo=",
        "probity-asset:../../etc/passwd",
        "probity-asset:letter.css/../x",
        "probity-asset:/etc/passwd",
        "probity-asset:letter.css?x=1",
        "probity-asset:%2e%2e/%2e%2e/etc/passwd",
        "PROBITY-ASSET:letter.css",
        "probity-asset:../assets/letter.css",
        "ftp://example.org/x",
        "//example.org/x",
        "/etc/passwd",
    ],
)
def test_the_fetcher_refuses_anything_but_its_own_assets(url, no_network):
    fetcher = LetterAssetFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    with pytest.raises(RefusedURL):
        fetcher(url)  # how WeasyPrint calls it
    assert no_network == []


def test_the_fetcher_serves_the_letter_stylesheet():
    response = LetterAssetFetcher()("probity-asset:letter.css")
    assert response.read() == (ASSETS_DIR / "letter.css").read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.django_db
def test_the_fetcher_serves_the_uploaded_logo_only_as_png_or_jpeg(world):
    head = world.letterhead
    response = LetterAssetFetcher(head).fetch("probity-asset:logo")
    assert response.read() == logo_png() and response.content_type == "image/png"

    with pytest.raises(RefusedURL):
        LetterAssetFetcher(None).fetch("probity-asset:logo")  # no letterhead
    bare = Letterhead.objects.create(
        association_name="A", address="B", signatory_name="C", signatory_title="D"
    )
    with pytest.raises(RefusedURL):
        LetterAssetFetcher(bare).fetch("probity-asset:logo")  # no logo uploaded
    svg = Letterhead(association_name="A", address="B", signatory_name="C", signatory_title="D")
    svg.logo.save(
        "logo.svg",
        ContentFile(
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>'
        ),
        save=False,
    )
    svg.save()
    with pytest.raises(RefusedURL, match="not a PNG or JPEG"):
        LetterAssetFetcher(svg).fetch("probity-asset:logo")


@pytest.mark.real_pdf
def test_render_pdf_refuses_hostile_markup_given_to_it_directly(fetched, no_network, tmp_path):
    """Defence in depth: even unescaped HTML reaches nothing outside the assets."""
    html = (
        '<html><head><link rel="stylesheet" href="probity-asset:letter.css">'
        '<link rel="attachment" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="probity-asset:../../etc/passwd">'
        '<style>@import url("http://127.0.0.1:9/y.css");</style></head>'
        '<body><p>Hostile</p><img src="http://127.0.0.1:9/x"><img src="file:///etc/passwd">'
        '<a rel="attachment" href="file:///etc/hostname">a</a></body></html>'
    )
    pdf = rendering.render_pdf(html)
    # The fetcher was asked, so it is the one WeasyPrint uses, and it refused:
    assert "file:///etc/passwd" in fetched and "http://127.0.0.1:9/x" in fetched
    assert set(fetched) - {"probity-asset:letter.css"}  # hostile URLs did reach the fetcher
    assert no_network == []
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf)
    expanded = qdf(path, tmp_path / "hostile-qdf.pdf")
    assert "/EmbeddedFile" not in expanded and "/Filespec" not in expanded
    assert PASSWD_MARKER not in expanded
    assert "Hostile" in pdf_text(path)


# ---------------------------------------------------------------------------
# A notice whose allegation carries hostile HTML
# ---------------------------------------------------------------------------


@pytest.mark.real_pdf
def test_hostile_allegation_is_escaped_and_fetches_nothing(world, fetched, no_network, tmp_path):
    case = world_case(world, conduct=MALICIOUS)
    fetched.clear()
    case = open_review(case, world.staff)
    notice = letter(case, LetterKind.NOTICE_OF_COMPLAINT)

    assert fetched, "the notice was rendered without the letter fetcher"
    assert set(fetched) <= ALLOWED, fetched
    assert "probity-asset:letter.css" in fetched
    assert no_network == []

    check = qpdf_check(notice.file.path)
    assert check.returncode == 0, check.stdout + check.stderr
    expanded = qdf(notice.file.path, tmp_path / "notice-qdf.pdf")
    assert "/EmbeddedFile" not in expanded and "/Filespec" not in expanded
    assert PASSWD_MARKER not in expanded

    text = pdf_text(notice.file.path)
    assert '<link rel="attachment"' in text and "<style>" in text
    # A line may break inside the URL: compare without whitespace.
    assert squeezed('<link rel="attachment" href="file:///etc/passwd">') in squeezed(text)
    assert squeezed('<img src="http://127.0.0.1:9/x">') in squeezed(text)
    assert "<style>body{display:none}</style>" in text
    assert case.number in text and "end of text." in text  # the body was not hidden
    assert PASSWD_MARKER not in text


@pytest.mark.real_pdf
def test_hostile_complainant_name_in_the_acknowledgement(world, fetched, no_network):
    from cases.services import ComplainantInput

    case = world_case(
        world,
        complainant=ComplainantInput(
            kind="person",
            name='Eve <img src="file:///etc/passwd"> Mallory',
            email="eve@example.org",
        ),
    )
    ack = letter(case, LetterKind.ACKNOWLEDGEMENT, "complainant")
    assert set(fetched) <= ALLOWED and "probity-asset:letter.css" in fetched
    assert no_network == []
    assert 'Dear Eve <img src="file:///etc/passwd"> Mallory' in pdf_text(ack.file.path)


def test_preview_escapes_the_hostile_allegation(world, client):
    case = open_review(world_case(world, conduct=MALICIOUS), world.staff)
    client.force_login(world.staff)
    response = client.get(
        reverse("cases:letter_preview", args=[case.number, LetterKind.NOTICE_OF_COMPLAINT])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt;link rel=&quot;attachment&quot; href=&quot;file:///etc/passwd&quot;&gt;" in body
    assert '<link rel="attachment"' not in body
    assert '<img src="http://127.0.0.1:9/x">' not in body
    assert "<style>body{display:none}</style>" not in body
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def _letterhead_form(logo):
    from cases.admin import LetterheadForm

    data = {
        "association_name": "Northbridge",
        "address": "1 High Street",
        "signatory_name": "Ada Lane",
        "signatory_title": "Chair",
    }
    return LetterheadForm(data=data, files={"logo": logo})


@pytest.mark.django_db
def test_the_admin_accepts_a_png_logo_and_refuses_an_image_the_letters_could_not_embed():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    assert _letterhead_form(SimpleUploadedFile("logo.png", logo_png(), "image/png")).is_valid()

    gif = io.BytesIO()
    Image.new("RGB", (60, 20)).save(gif, "GIF")
    form = _letterhead_form(SimpleUploadedFile("logo.gif", gif.getvalue(), "image/gif"))
    assert not form.is_valid()
    assert form.errors["logo"] == ["The logo must be a PNG or JPEG image."]


@pytest.mark.django_db
def test_the_admin_refuses_a_logo_over_the_size_limit(monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import admin as cases_admin

    monkeypatch.setattr(cases_admin, "LOGO_MAX_BYTES", 100)
    form = _letterhead_form(SimpleUploadedFile("logo.png", logo_png(), "image/png"))
    assert not form.is_valid()
    assert "the limit is" in form.errors["logo"][0]
