"""axe-core on the shell's pages in both languages, at desktop and phone width.

axe comes from the installed axe-playwright-python wheel (no network). Serious and critical
violations fail the test; the message lists every one of them, for every language and width
(one sign-in per page keeps the run short: the four checks share it).
"""

from __future__ import annotations

import os
import zlib

import pytest

from tests.fixtures_browser import DESKTOP, MOBILE, log_in, switch_language
from tests.pages import BLOCKING, describe, run_axe

pytestmark = pytest.mark.browser

ALL_ROLES = ("employee", "manager", "hr", "it_admin", "secretary", "admin")
# name -> (path, roles of the signed-in user, or None for an anonymous visitor, status)
PAGES = {
    "login": ("/login", None, 200),
    "home": ("/", ALL_ROLES, 200),  # every role, so every dashboard card shows
    "profile": ("/profile", ("employee",), 200),
    "not-found": ("/no-such-page", ("employee",), 404),
    "admin-users": ("/admin/users", ("admin",), 200),
    "admin-departments": ("/admin/departments", ("admin",), 200),
    "admin-audit": ("/admin/audit", ("admin",), 200),
    "admin-tokens": ("/admin/tokens", ("admin",), 200),
    "admin-jobs": ("/admin/jobs/", ("admin",), 200),
    "admin-mail": ("/admin/mail", ("admin",), 200),
    "notifications": ("/notifications", ("employee",), 200),
    # Telework bookings (with data: tests/telework/test_browser_telework.py checks them again).
    "telework-bookings": ("/telework/bookings", ("hr",), 200),  # with the HR-only fields
    "telework-approvals": ("/telework/approvals", ("manager",), 200),
    "telework-calendar": ("/telework/calendar", ("manager",), 200),  # with department feeds
    # Telework sessions (the Start button), month close, targets and policies.
    "telework-sessions": ("/telework/sessions", ("employee",), 200),
    "telework-months": ("/telework/months", ("hr",), 200),
    "telework-targets": ("/telework/targets", ("hr",), 200),
    "telework-policies": ("/telework/policies", ("hr",), 200),
    "telework-policy-edit": ("/telework/policies/organisation", ("hr",), 200),
    "telework-delegates": ("/telework/delegates", ("manager",), 200),
    # Devices and lines (reports and labels, with data, in tests/devices/test_browser_devices.py).
    "devices-inventory": ("/devices/", ("it_admin",), 200),
    "devices-new": ("/devices/new", ("it_admin",), 200),
    "devices-lines": ("/devices/lines", ("it_admin",), 200),
    "devices-line-new": ("/devices/lines/new", ("it_admin",), 200),
    "devices-import": ("/devices/import", ("it_admin",), 200),
    "devices-terms": ("/devices/terms/laptop", ("it_admin",), 200),
    "devices-permissions": ("/devices/permissions", ("admin",), 200),
    "devices-my-items": ("/devices/my-items", ("employee",), 200),
    "devices-requests": ("/devices/requests", ("employee",), 200),
    "devices-request-new": ("/devices/requests/new", ("employee",), 200),
    "devices-allocations": ("/devices/allocations", ("it_admin",), 200),
    "devices-allocate": ("/devices/allocations/new", ("it_admin",), 200),
    "devices-leavers": ("/devices/leavers", ("it_admin",), 200),
    # Surveys (the answer, builder and results pages with a survey: tests/test_surveys_*browser*).
    "surveys-my": ("/surveys/my", ("employee",), 200),
    "surveys-build": ("/surveys/build", ("hr",), 200),
    "surveys-build-new": ("/surveys/build/new", ("hr",), 200),
    # Online meetings (a meeting's licences, with data: tests/online_meetings/...browser...).
    "online-licences": ("/online-meetings/licences", ("it_admin",), 200),
    "online-licence-new": ("/online-meetings/licences/new", ("it_admin",), 200),
    "online-comparison": ("/online-meetings/comparison", ("hr",), 200),
    "online-figures": ("/online-meetings/figures", ("hr",), 200),
}
LANGUAGES = ("ja", "en")
WIDTHS = ((DESKTOP["width"], DESKTOP["height"]), (MOBILE["width"], MOBILE["height"]))
def pages_of_this_pass(backend: str) -> list[str]:
    """The pages checked on ``backend``: each page in one of the two passes of ``make test``
    (by a checksum of its name), as the HTML does not depend on the database; about two
    thirds on SQLite, as the PostgreSQL pass is the longer one."""
    on_postgresql = backend == "postgresql"
    return [name for name in PAGES if (zlib.crc32(name.encode()) % 3 == 2) == on_postgresql]


def test_the_two_passes_check_every_page_once():
    sqlite, postgresql = pages_of_this_pass("sqlite"), pages_of_this_pass("postgresql")
    assert sorted(sqlite + postgresql) == sorted(PAGES)
    assert len(PAGES) / 4 < len(postgresql) < len(PAGES) / 2.4  # about a third


@pytest.mark.parametrize("name", pages_of_this_pass(os.environ.get("WORKHUB_TEST_DB", "sqlite")))
def test_page_has_no_serious_axe_violations(new_page, make_user, make_department, screenshot,
                                            name):
    path, roles, status = PAGES[name]
    page = new_page()
    if roles is None:
        page.goto("/login")
    else:
        department = make_department("soumu", "総務課", name_en="General Affairs Division")
        log_in(page, make_user("axe", roles=roles, display_name="青木 愛子", department=department))

    problems = []
    for language in LANGUAGES:
        if page.evaluate("document.documentElement.lang") != language:
            switch_language(page, language)
        response = page.goto(path)
        assert response is not None and response.status == status, (
            f"{path} answered {response.status if response else None}, expected {status}"
        )
        assert page.evaluate("document.documentElement.lang") == language
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
            screenshot(page, name)
            if blocking:
                problems.append(f"{path} in {language} at {width}px:\n{describe(blocking)}")
            scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
            if scroll_width > width:
                problems.append(
                    f"{path} in {language} scrolls sideways at {width}px ({scroll_width}px wide)"
                )
    assert not problems, "axe-core found serious problems:\n" + "\n".join(problems)
