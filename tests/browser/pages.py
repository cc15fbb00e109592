"""What the browser tests do on Probity's pages, said once: read the status message,
open a <details> by its summary, confirm an irreversible step."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def status(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def open_details(region, summary: str):
    """The <details> in `region` whose summary starts with `summary`, opened."""
    details = region.locator("details").filter(
        has=region.page.locator("summary", has_text=re.compile(rf"^\s*{re.escape(summary)}"))
    )
    details.locator("summary").click()
    return details


def action(page, label: str):
    """The <details> for one workflow step in "What you can do now", opened."""
    return open_details(page.get_by_role("region", name="What you can do now"), label)


def confirm(page, label: str) -> None:
    """An irreversible step's confirmation page: it says what will happen; confirm it."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Confirm: {label}")
    expect(page.get_by_role("region", name="What will happen")).to_be_visible()
    page.get_by_role("button", name=f"Yes: {label.lower()}").click()
