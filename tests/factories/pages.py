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


def keyset_link(response, rel: str) -> str | None:
    """The query string of a keyset list's "next" (older) or "prev" (newer) link, or None
    when the page has none (association.paging; templates/includes/keyset_pagination.html)."""
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def walk_keyset(client, url: str, read) -> tuple[list, list]:
    """Every page of a keyset list from `url` by its "next" links, then back from the
    last by its "prev" links: (the pages forward, the pages back), each as `read(response)`.
    A list walked without gaps or repeats has back == forward[-2::-1]."""
    forward, response = [], client.get(url)
    while True:
        forward.append(read(response))
        older = keyset_link(response, "next")
        if older is None:
            break
        response = client.get(f"{url}?{older}")
    back = []
    while (newer := keyset_link(response, "prev")) is not None:
        response = client.get(f"{url}?{newer}")
        back.append(read(response))
    return forward, back
