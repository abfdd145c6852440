"""The API's shared request reading: the strict and the lenient reading of a JSON body."""

from __future__ import annotations

import re

import pytest

from workhub.api.common import BadRequest, json_body, page_args


def _read(app, *, strict_type: bool, **request):
    with app.test_request_context("/api/v1/x", method="POST", **request):
        return json_body({"a"}, strict_type=strict_type)


@pytest.mark.parametrize("strict_type", [True, False])
def test_no_body_is_an_empty_object(app, strict_type):
    assert _read(app, strict_type=strict_type) == {}
    assert _read(app, strict_type=strict_type, data=b"",
                 content_type="application/json") == {}
    assert _read(app, strict_type=strict_type, data=b'{"a": 1}',
                 content_type="application/json; charset=utf-8") == {"a": 1}


@pytest.mark.parametrize("strict_type", [True, False])
@pytest.mark.parametrize(("data", "content_type", "code"), [
    (b"{not json", "application/json", "invalid_json"),
    (b"null", "application/json", "invalid_json"),
    (b"[1]", "application/json", "invalid_json"),
    (b"a=1", "application/x-www-form-urlencoded", "invalid_json"),
    (b'{"a": 1, "b": 2}', "application/json", "unknown_field"),
])
def test_malformed_bodies_are_refused_either_way(app, strict_type, data, content_type, code):
    with pytest.raises(BadRequest) as caught:
        _read(app, strict_type=strict_type, data=data, content_type=content_type)
    assert caught.value.code == code and caught.value.status == 400


@pytest.mark.parametrize("strict_type", [True, False])
@pytest.mark.parametrize("data", [b'{"a": "x\\u0000"}', b'{"a": ["ok", {"b": "\\u0000"}]}',
                                  b'{"a": {"\\u0000": 1}}'])
def test_nul_characters_are_refused_anywhere_in_the_body(app, strict_type, data):
    # PostgreSQL can neither store nor compare text holding NUL: the fuzz got 500s for them.
    with pytest.raises(BadRequest) as caught:
        _read(app, strict_type=strict_type, data=data, content_type="application/json")
    assert caught.value.code == "invalid_json" and caught.value.status == 400


def test_the_lenient_reading_takes_any_json_type_and_any_empty_body(app):
    typed = {"data": b'{"a": 1}', "content_type": "application/merge-patch+json"}
    assert _read(app, strict_type=False, **typed) == {"a": 1}
    with pytest.raises(BadRequest):
        _read(app, strict_type=True, **typed)
    empty_form = {"data": b"", "content_type": "application/x-www-form-urlencoded"}
    assert _read(app, strict_type=False, **empty_form) == {}
    with pytest.raises(BadRequest):
        _read(app, strict_type=True, **empty_form)


@pytest.mark.parametrize(("query", "expected"), [
    ("", (1, 50)), ("page=3&per_page=100", (3, 100)), ("page=&per_page=", (1, 50))])
def test_page_args(app, query, expected):
    with app.test_request_context(f"/api/v1/x?{query}"):
        assert page_args() == expected


@pytest.mark.parametrize("query", ["page=0", "per_page=101", "page=-1", "page=１", "page=x"])
def test_page_args_refuse_anything_else(app, query):
    with app.test_request_context(f"/api/v1/x?{query}"), pytest.raises(BadRequest) as caught:
        page_args()
    assert caught.value.field == query.split("=")[0]


def _routes_with_ids(app, value: int) -> list[tuple[str, str]]:
    """(method, URL) of every /api/v1 route that takes an integer id, each id set to
    ``value``."""
    from werkzeug.routing import IntegerConverter

    routes = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items()
                if isinstance(conv, IntegerConverter)]
        if not rule.rule.startswith("/api/v1/") or not ints:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value) if name in ints else "2026-12",
                         url)
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


@pytest.mark.parametrize("too_big", [2**31, 2**63, 10**24])
def test_an_id_beyond_the_id_columns_is_not_found(app, client, make_user, too_big):
    # The fuzz sent 996230723134184191164416 as a booking id: SQLite could not bind it and the
    # API answered 500. Ids are 32-bit columns, so anything past them is no row: 404.
    from workhub.auth.services import create_token
    from workhub.extensions import db
    from workhub.org.models import User

    admin = make_user("root", roles=("employee", "admin"))
    with app.app_context():
        _row, secret = create_token(db.session.get(User, admin.id), "ids")
        db.session.commit()
    routes = _routes_with_ids(app, too_big)
    assert len(routes) > 20
    for method, url in routes:
        response = client.open(url, method=method, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json["error"]["code"] == "not_found", (method, url)
    # Authentication still comes first.
    method, url = routes[0]
    assert client.open(url, method=method).status_code == 401


def test_nul_in_a_query_string_is_a_bad_request(app, client, make_user):
    # The fuzz searched GET /lines?q=%00…: PostgreSQL refuses text holding NUL (a 500).
    from workhub.auth.services import create_token
    from workhub.extensions import db
    from workhub.org.models import User

    it = make_user("it", roles=("employee", "it_admin"))
    with app.app_context():
        _row, secret = create_token(db.session.get(User, it.id), "nul")
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    for url in ("/api/v1/lines?q=%00x", "/api/v1/devices?q=a%00", "/api/v1/allocations?user=%00",
                "/api/v1/telework/sessions?user=%00", "/api/v1/lines?%00=1"):
        response = client.get(url, headers=headers)
        assert response.status_code == 400, url
        assert response.json["error"]["code"] == "invalid_query", url
    assert client.get("/api/v1/lines?q=x", headers=headers).status_code == 200
