"""Security headers on every kind of response, and pages the CSP does not break."""

from __future__ import annotations

import re

import pytest

PUBLIC_URLS = [
    "/login",
    "/healthz",
    "/api/v1/openapi.json",
    "/api/v1/me",  # 401 JSON
    "/no/such/page",  # 404 HTML
    "/",  # redirect to the login page
    "/static/css/workhub.css",
    "/vendor/bootstrap/css/bootstrap.min.css",
]


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_headers_on_every_response(client, url):
    with client.get(url) as response:
        check_headers(response)


def check_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    for directive in ("script-src", "style-src", "default-src"):
        sources = csp.get(directive, csp["default-src"])
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        assert not any(s.startswith("http") or s == "*" for s in sources), "no CDN"


def test_signed_in_pages_are_not_cached(client, logged_in):
    logged_in()
    for url in ("/", "/profile", "/api/v1/me"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def assert_csp_safe(page: str) -> None:
    # The CSP blocks inline script and style: a page that used them would silently break.
    assert not INLINE_SCRIPT.search(page), INLINE_SCRIPT.search(page).group(0)
    assert not INLINE_HANDLER.search(page), INLINE_HANDLER.search(page).group(0)
    assert not INLINE_STYLE.search(page), INLINE_STYLE.search(page).group(0)


def test_public_pages_have_no_inline_script_or_style(client):
    for url in ("/login", "/no/such/page"):
        assert_csp_safe(client.get(url).get_data(as_text=True))


def test_signed_in_pages_have_no_inline_script_or_style(client, logged_in):
    logged_in()
    for url in ("/", "/profile"):
        assert_csp_safe(client.get(url).get_data(as_text=True))


def test_assets_are_served_locally(client):
    page = client.get("/login").get_data(as_text=True)
    for src in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not src.startswith(("http:", "https:", "//")), src
    with client.get("/vendor/bootstrap/js/bootstrap.min.js") as response:
        assert response.status_code == 200


def test_hsts_only_over_https(app):
    plain = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    secure = app.test_client().get("/login", base_url="https://workhub.city.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
