"""Reading a page back: its text, one of its sections."""

from __future__ import annotations

import re


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace squeezed (for phrase checks)."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(response, heading_id: str) -> str:
    """The HTML of the <section> whose heading has id `heading_id`."""
    html = response.content.decode()
    start = html.index(f'id="{heading_id}"')
    start = html.rindex("<section", 0, start)
    end = html.index("</section>", start)
    return html[start:end]


def squeezed(words: str) -> str:
    """`words` with whitespace squeezed as text_of squeezes a page's, to look for them in
    text_of (French puts a non-breaking space before « : ; ? ! » and inside « »)."""
    return re.sub(r"\s+", " ", words).strip()
