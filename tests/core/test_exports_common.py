"""The shared download response: ASCII headers, and a Japanese filename that arrives intact."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.http import parse_options_header

from workhub.exports_common import attachment_header, download


def _offered_name(header: str) -> str:
    """The filename an RFC 6266 reader takes from ``header`` (filename* wins, as in browsers)."""
    return parse_options_header(header)[1]["filename"]


def _plain_name(header: str) -> str:
    """What a client that ignores filename* sees."""
    return header.split('filename="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("name", [
    "アンケート結果_2026年度.xlsx",
    "定例会議 議事録.docx",
    "Résumé 50%.csv",
    'quote"and\\slash.csv',
    "line\r\nSet-Cookie: x=1.txt",
])
def test_a_non_ascii_or_unsafe_name_arrives_intact_in_an_ascii_header(name):
    sent = download(b"body", "text/csv", name)
    header = sent.headers["Content-Disposition"]
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="')
    assert _offered_name(header) == name
    plain = _plain_name(header)
    assert plain and plain.isascii() and not set(plain) & set('"\\%\r\n')


def test_a_japanese_only_name_gets_a_readable_fallback():
    header = attachment_header("議事録.docx")
    assert _plain_name(header) == "download.docx"
    assert _offered_name(header) == "議事録.docx"


def test_a_plain_name_is_sent_as_before():
    sent = download(b"a,b\r\n", "text/csv", "devices-cost-2026-04-14.csv")
    assert sent.headers["Content-Disposition"] == (
        'attachment; filename="devices-cost-2026-04-14.csv"')
    assert sent.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_type_that_names_its_charset_is_kept_as_it_is():
    sent = download(b"# x\n", "text/markdown; charset=utf-8", "minutes-1.md")
    assert sent.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert download(b"{}", "application/json", "a.json").headers["Content-Type"] == (
        "application/json")


def test_the_header_goes_through_wsgi_and_back():
    # Servers send header values as latin-1 (PEP 3333): a bare Japanese name would be garbled.
    tiny = Flask(__name__)

    @tiny.get("/roster")
    def roster():
        return download("名前,部署\r\n".encode(), "text/csv", "職員名簿.csv")

    response = tiny.test_client().get("/roster")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert header.encode("latin-1").isascii()
    assert _offered_name(header) == "職員名簿.csv"
    assert response.get_data().decode() == "名前,部署\r\n"
