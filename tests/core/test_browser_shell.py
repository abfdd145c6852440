"""Journeys through the UI shell in a real browser: login, language, logout, keyboard, phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures_browser import MOBILE, log_in, switch_language

pytestmark = pytest.mark.browser


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def focused(page) -> dict:
    """Describe the element that has the keyboard focus."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id, role: el.getAttribute('role'),
                    href: el.getAttribute('href'), text: el.innerText};
        }"""
    )


def test_login_shows_home_with_japanese_name_then_logout(page, make_user, screenshot):
    user = make_user("hanako", display_name="山田 花子")
    log_in(page, user)

    assert page.evaluate("location.pathname") == "/"
    assert html_lang(page) == "ja"
    expect(page.locator("main h1")).to_contain_text("山田 花子")
    # The name in the navigation leads to the profile.
    expect(page.locator("header nav a[href='/profile']")).to_contain_text("山田 花子")
    screenshot(page, "home")

    page.locator("header form[action='/logout'] button[type=submit]").click()
    page.wait_for_url("**/login")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("header nav a[href='/profile']")).to_have_count(0)
    # Signed out for real: the home page sends us back to the login form.
    page.goto("/")
    assert page.evaluate("location.pathname") == "/login"


def test_language_switch_changes_and_persists(page, make_user, screenshot):
    user = make_user("jiro", display_name="佐藤 次郎")
    log_in(page, user)
    assert html_lang(page) == "ja"
    home_link = page.locator("header nav a[aria-current='page']")

    switch_language(page, "en")
    assert page.evaluate("location.pathname") == "/", "the switch returns to the same page"
    expect(home_link).to_have_text("Home")
    english = page.locator(".lang-switch [aria-current='true']")
    expect(english).to_have_text("English")
    screenshot(page, "en")

    # The choice is remembered: on another page, and after signing in again.
    page.goto("/profile")
    assert html_lang(page) == "en"
    page.locator("header form[action='/logout'] button[type=submit]").click()
    page.wait_for_url("**/login")
    assert html_lang(page) == "en"
    log_in(page, user)
    assert html_lang(page) == "en"

    switch_language(page, "ja")
    page.reload()
    assert html_lang(page) == "ja"
    expect(page.locator(".lang-switch [aria-current='true']")).to_have_text("日本語")
    screenshot(page, "ja")
    # The Japanese catalogue translates the navigation.
    expect(home_link).to_have_text("ホーム")


def test_language_switch_before_login(page, screenshot):
    page.goto("/login")
    assert html_lang(page) == "ja"
    switch_language(page, "en")
    assert page.evaluate("location.pathname") == "/login"
    page.reload()
    assert html_lang(page) == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to WorkHub")
    screenshot(page)


def test_wrong_password_shows_error_and_moves_focus_to_it(page, make_user, screenshot):
    user = make_user("saburo", display_name="鈴木 三郎")
    page.goto("/login")
    page.locator("#login").fill(user.login)
    page.locator("#password").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").press("Enter")

    assert page.evaluate("location.pathname") == "/login"
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_be_visible()
    expect(alert).not_to_have_text("")
    # Focus lands on the message, so a screen reader reads it out at once.
    expect(alert).to_be_focused()
    # The login ID is kept; the password is not echoed back.
    expect(page.locator("#login")).to_have_value(user.login)
    expect(page.locator("#password")).to_have_value("")
    screenshot(page)


def test_empty_login_form_marks_fields_and_announces_the_error(page, screenshot):
    page.goto("/login")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    # The generic failure comes first and takes the focus ...
    expect(page.get_by_role("alert")).to_be_focused()
    # ... and each empty field is marked, with its own message read with it.
    for field_id in ("login", "password"):
        control = page.locator(f"#{field_id}")
        expect(control).to_have_attribute("aria-invalid", "true")
        described = control.get_attribute("aria-describedby")
        assert described, f"#{field_id} has no aria-describedby"
        expect(page.locator(f"#{described.split()[0]}")).not_to_have_text("")
    screenshot(page)


def test_invalid_field_takes_the_focus(page, make_user):
    log_in(page, make_user())
    page.goto("/profile")
    form = page.locator("form[action='/profile/tokens']")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    name = page.locator("#name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()


def test_skip_link_is_first_and_moves_focus_to_main(page, make_user, screenshot):
    user = make_user()
    log_in(page, user)
    page.goto("/profile")

    page.keyboard.press("Tab")
    first = focused(page)
    assert first["href"] == "#main", f"the first Tab stop is {first}, not the skip link"
    skip = page.locator("a.skip-link")
    expect(skip).to_be_visible()
    screenshot(page, "skip-link")

    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside_main, f"Tab after the skip link went to {focused(page)}"


def test_focus_ring_is_visible_on_buttons_and_links(page, make_user, screenshot):
    user = make_user()
    log_in(page, user)
    page.goto("/profile")
    targets = {
        "nav-link": "header nav a[href='/profile']",
        "lang-button": ".lang-switch button[name=language]",
        "field": "#name",
        "button": "main button[type=submit]",
    }
    for label, selector in targets.items():
        target = page.locator(selector).first
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        expect(target).to_be_focused()
        style = target.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
        )
        assert style["style"] != "none" and style["width"] >= 2, f"{selector}: {style}"
        screenshot(page, f"focus-{label}")


def test_phone_width_collapses_navigation_behind_toggler(mobile_page, make_user, screenshot):
    page = mobile_page
    user = make_user("shiro", roles=("employee", "admin"), display_name="高橋 四郎")
    log_in(page, user)
    assert page.viewport_size == MOBILE

    toggler = page.locator("header .navbar-toggler")
    menu = page.locator("#nav-main")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= MOBILE["width"]
    screenshot(page, "closed")

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    # Admin links sit in a drop-down group: it opens by touch and says so.
    group = menu.locator("#nav-group-admin")
    expect(group).to_have_attribute("aria-expanded", "false")
    group.click()
    expect(group).to_have_attribute("aria-expanded", "true")
    expect(menu.locator("a[href='/admin/users']")).to_be_visible()
    expect(menu.locator("form[action='/logout'] button")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= MOBILE["width"]
    screenshot(page, "open")

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()


def test_phone_width_login_page_fits(mobile_page, screenshot):
    page = mobile_page
    page.goto("/login")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= MOBILE["width"]
    # The language switch stays reachable without opening any menu.
    expect(page.locator(".lang-switch button[name=language]")).to_be_visible()
    screenshot(page)


def test_menu_groups_open_with_the_keyboard(page, make_user, screenshot):
    """Desktop: the bar stays on one line with every role; a group opens with Enter and its
    first link is reachable with the arrow keys."""
    user = make_user("goro", roles=("employee", "manager", "hr", "it_admin", "secretary",
                                    "admin"), display_name="伊藤 五郎")
    log_in(page, user)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]
    group = page.locator("#nav-group-telework")
    group.focus()
    page.keyboard.press("Enter")
    expect(group).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "/telework/bookings"
    screenshot(page, "menu-open")
