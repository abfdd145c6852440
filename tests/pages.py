"""Checks and actions on a page in the real browser that the browser tests of every package
share: axe-core (from the installed axe-playwright-python wheel, no network) with nothing
wider than the window, a phone-sized page, submitting a form."""

from __future__ import annotations

from axe_playwright_python.base import AXE_SCRIPT

from tests.fixtures_browser import MOBILE

BLOCKING = ("serious", "critical")


def run_axe(page) -> list[dict]:
    """Run axe-core on ``page`` and return its violations."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")


def page_problems(page, where: str, *, axe: bool = True) -> list[str]:
    """What is wrong with the page as shown: serious axe-core violations (unless ``axe`` is
    false) and a page wider than the window."""
    problems = []
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING] if axe else []
    if blocking:
        problems.append(f"{where}:\n{describe(blocking)}")
    viewport = page.viewport_size["width"]
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > viewport:
        problems.append(f"{where} scrolls sideways ({width}px wide at {viewport}px)")
    return problems


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  - {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            lines.append(f"      at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:400]}")
    return "\n".join(lines)


def check_page(page, what: str) -> None:
    """No serious axe-core violation, and nothing wider than the window."""
    problems = page_problems(page, what)
    assert not problems, "\n".join(problems)


def phone(new_page):
    """A new page the size of a phone, with touch."""
    return new_page(MOBILE["width"], MOBILE["height"], mobile=True)


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()
