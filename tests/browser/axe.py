"""Accessibility and layout checks for the browser tests.

`assert_no_serious(page)` runs axe-core (from the npm registry, pinned in
tests/browser/js/package-lock.json and installed there by `bin/bootstrap --browser`)
inside the page and fails on any critical or serious violation, listing each with the
elements it found. `assert_fits(page)` fails when the document is wider than the
viewport (a phone user would have to scroll sideways).

The page's Content-Security-Policy allows only same-origin scripts, so axe-core is not
added as a <script> tag (Playwright's add_script_tag inlines it and the policy refuses
it): its source is evaluated through the DevTools protocol, which the policy does not
govern, and the page itself runs under the policy production sends.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")
# The rules axe runs: WCAG 2.x A and AA and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary),
  }));
}"""


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(
            f"axe-core is not installed ({AXE_JS} is missing): run bin/bootstrap --browser"
        )
    return AXE_JS.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every impact)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(RUN, TAGS)


def assert_no_serious(page) -> None:
    """Fail on any critical or serious axe-core violation, naming the rule and elements."""
    found = [v for v in violations(page) if v["impact"] in SERIOUS]
    if found:
        lines = [f"{len(found)} serious or critical accessibility violation(s) on {page.url}:"]
        for v in found:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {node}" for node in v["nodes"][:5]]
        raise AssertionError("\n".join(lines))


def assert_fits(page) -> None:
    """Fail when the document is wider than the viewport, naming the widest elements."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    if width <= viewport:
        return
    # An element past the edge, or one whose content spills out of its box unclipped.
    culprits = page.evaluate(
        """(viewport) => Array.from(document.querySelectorAll('body *'))
          .filter((el) => {
            const style = getComputedStyle(el);
            const spills = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
              && style.overflowX === 'visible';
            return el.getBoundingClientRect().right > viewport + 1 || spills;
          })
          .slice(-8)
          .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + (el.className && typeof el.className === 'string'
               ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
            + ' (' + el.scrollWidth + 'px)')""",
        viewport,
    )
    raise AssertionError(
        f"{page.url} is {width}px wide in a {viewport}px viewport; past the edge: {culprits}"
    )
