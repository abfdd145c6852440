"""How large a request body each route accepts.

Every route takes at most ``MAX_CONTENT_LENGTH`` (``WORKHUB_MAX_REQUEST_KB``, 1 MB by
default): forms, JSON and sign-in need far less. A route that takes files says how much it
needs with ``@body_limit``; nothing else is raised.

The limit is applied twice:

* in Flask, before anything reads the body (the CSRF check does): an app-level URL value
  preprocessor runs before every ``before_request`` function and sets the request's
  ``max_content_length``, so Werkzeug refuses a larger body with 413 without reading it;
* in waitress (``workhub serve``), which reads a whole body before it calls the app: its
  parser looks the route up once the headers are in and answers 413 at once when the
  declared length is over the route's limit, or as soon as a chunked body grows past it,
  so an oversized POST to ``/login`` is never buffered.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

Limit = Callable[[Mapping[str, Any]], int]

# Room for the CSRF token, other fields and the multipart headers beside a file.
FORM_ROOM = 64 * 1024


def body_limit(limit: Limit):
    """Mark a view as taking up to ``limit(app.config)`` bytes of body."""

    def mark(view):
        view.body_limit = limit
        return view

    return mark


def file_limit(file_bytes: int) -> Limit:
    """The limit for a form carrying one file of at most ``file_bytes``."""
    return lambda _config: file_bytes + FORM_ROOM


def limit_for(app: Flask, endpoint: str | None) -> int:
    """The body limit of ``endpoint`` (the default for an unknown one)."""
    view = app.view_functions.get(endpoint) if endpoint else None
    limit = getattr(view, "body_limit", None)
    default = int(app.config["MAX_CONTENT_LENGTH"])
    return max(default, int(limit(app.config))) if limit else default


def largest_limit(app: Flask) -> int:
    """The largest body any route takes (waitress's overall bound)."""
    return max(limit_for(app, endpoint) for endpoint in app.view_functions)


def route_limits(app: Flask) -> Callable[[str, str], int]:
    """A function (method, path) -> body limit, computed once for the running server."""
    limits = {endpoint: limit_for(app, endpoint) for endpoint in app.view_functions}
    default = int(app.config["MAX_CONTENT_LENGTH"])
    adapter = app.url_map.bind("localhost")

    def lookup(method: str, path: str) -> int:
        try:
            endpoint, _values = adapter.match(path.split("?", 1)[0] or "/", method=method)
        except HTTPException:  # no such route (404/405) or a redirect: the small default
            return default
        except Exception:  # noqa: BLE001 - a path werkzeug cannot even parse
            return default
        return limits.get(endpoint, default)

    return lookup


def init_app(app: Flask) -> None:
    """Apply each route's limit before any before_request function reads the body."""

    def apply_limit(endpoint: str | None, _values) -> None:
        request.max_content_length = limit_for(app, endpoint)

    app.url_value_preprocessor(apply_limit)


def waitress_server(app: Flask, **options):
    """A waitress server for ``app`` whose parser refuses a body over its route's limit.

    waitress only knows one ``max_request_body_size``; this server gives each request a copy
    of the settings with its own route's limit once the request line is parsed. (waitress's
    channel and parser classes are class attributes meant to be replaced.)
    """
    from waitress import create_server
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser

    lookup = route_limits(app)

    class RouteLimitedParser(HTTPRequestParser):
        def parse_header(self, header_plus):
            super().parse_header(header_plus)
            adj = copy.copy(self.adj)
            # waitress refuses a length equal to its bound, Werkzeug only a larger one.
            adj.max_request_body_size = lookup(self.command or "GET", self.path or "/") + 1
            self.adj = adj

    class RouteLimitedChannel(HTTPChannel):
        parser_class = RouteLimitedParser

    options.setdefault("max_request_body_size", largest_limit(app) + 1)
    server = create_server(app, **options)
    server.channel_class = RouteLimitedChannel
    return server
