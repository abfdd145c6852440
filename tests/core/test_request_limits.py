"""Request bodies: a small limit everywhere, raised only on the routes that take files.

An adversary sends a huge body to a form that needs a few hundred bytes (sign-in is open to
everyone): it must be refused before it is read, by Flask and by the real waitress server
`workhub serve` runs, and nothing may change.
"""

from __future__ import annotations

import io
import socket
import threading

import pytest
from werkzeug.test import encode_multipart

from tests.dbstate import snapshot
from tests.office import csrf_token
from workhub.request_limits import FORM_ROOM, largest_limit, limit_for, waitress_server

MB = 1024 * 1024


class CountingStream(io.RawIOBase):
    """A request body that counts what the server reads of it."""

    def __init__(self, size: int):
        self.size, self.pos, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the length by seeking
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.pos))
        buffer[:n] = b"a" * n
        self.pos += n
        self.read_bytes += n
        return n


def test_default_limit_is_one_megabyte_and_uploads_take_their_own(app):
    assert app.config["MAX_CONTENT_LENGTH"] == MB
    assert limit_for(app, "auth.login") == MB
    assert limit_for(app, "api.surveys_create") == MB
    recording = app.config["MAX_RECORDING_MB"] * MB + FORM_ROOM
    assert limit_for(app, "meetings.upload") == recording
    assert limit_for(app, "api.upload_recording_api") == recording
    assert limit_for(app, "devices.import_upload") == 2 * MB + FORM_ROOM
    assert limit_for(app, "telework_sessions.import_targets") == MB + FORM_ROOM
    assert largest_limit(app) == recording


def test_every_raised_limit_is_a_route_that_takes_files_or_answers(app):
    raised = sorted(e for e in app.view_functions if limit_for(app, e) > MB)
    assert raised == sorted([
        "api.survey_change_response", "api.survey_save_draft", "api.survey_submit_response",
        "api.upload_recording_api", "devices.import_upload", "meetings.upload",
        "surveys.answer_post", "telework_sessions.import_targets",
    ])


def test_oversized_login_is_refused_unread_and_changes_nothing(app, client):
    token = csrf_token(client)
    before = snapshot(app)
    body = CountingStream(5 * MB)
    response = client.post(
        "/login", input_stream=body, content_length=body.size,
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 413
    assert body.read_bytes == 0  # refused on the declared length, before the CSRF check read
    assert snapshot(app) == before


def test_oversized_json_gets_a_json_413(app, logged_in, client):
    logged_in(roles=("hr",))
    before = snapshot(app)
    response = client.post("/api/v1/telework/sessions", data=b"[" + b"1," * MB + b"1]",
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert snapshot(app) == before


def test_a_form_just_under_the_limit_is_read(app, client):
    token = csrf_token(client)
    response = client.post("/login", data={"login": "x" * (MB - 2048), "password": "y",
                                           "csrf_token": token})
    assert response.status_code != 413


def test_an_upload_route_takes_more_than_the_default(app, logged_in, client):
    logged_in(roles=("it_admin",))
    token = csrf_token(client, "/devices/import")
    csv = ("asset_tag,kind\n" + "X" * (MB + MB // 2)).encode()
    # Encoded in memory: the test client would spool a body this large to an unclosed file.
    boundary, body = encode_multipart({
        "csrf_token": token, "kind": "devices", "file": (io.BytesIO(csv), "big.csv")})
    response = client.post("/devices/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400  # the import's own message about the rows, not 413
    assert "413" not in response.get_data(as_text=True)[:200]


# -- the real server ------------------------------------------------------------------------


@pytest.fixture
def served(app):
    server = waitress_server(app, host="127.0.0.1", port=0, threads=2)
    stop = threading.Event()

    def serve() -> None:
        # The loop closes the server itself when told to stop: closing it from the test's
        # thread could pull the socket out from under a select() in progress (EBADF).
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.effective_port
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


HEADERS = "Host: workhub\r\nConnection: close\r\n"


def _status(port: int, head: str, body: bytes = b"", *, wait: float = 10.0) -> str:
    """Send ``head`` (and ``body``); return the status line of the answer.

    The whole answer is read, up to the server closing the connection, so that waitress has
    let go of the request's buffers before the test ends."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        try:
            sock.sendall(head.encode("latin-1") + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before all of the body was sent
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass  # closed with the rest of our body unread: the answer came first
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def test_waitress_refuses_an_oversized_login_before_the_body_is_sent(served):
    head = ("POST /login HTTP/1.1\r\n" + HEADERS + "Content-Length: 104857600\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n")
    # Not one byte of the 100 MB is sent: the answer comes from the headers alone.
    assert " 413 " in _status(served, head)


def test_waitress_refuses_a_chunked_login_that_grows_past_the_limit(served):
    head = ("POST /login HTTP/1.1\r\n" + HEADERS + "Transfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"a" * 64 * 1024)
    assert " 413 " in _status(served, head, chunk * 17)  # 1.06 MB, never a terminating chunk


def test_waitress_lets_a_large_upload_through_to_the_app(served):
    size = 3 * MB
    head = ("POST /meetings/1/recordings HTTP/1.1\r\n" + HEADERS + f"Content-Length: {size}"
            "\r\nContent-Type: application/octet-stream\r\n\r\n")
    # The body is read whole and handed to WorkHub, whose CSRF check refuses it (400), not
    # waitress (413).
    assert " 400 " in _status(served, head, b"\0" * size)


def test_waitress_bound_matches_the_largest_route(app):
    server = waitress_server(app, host="127.0.0.1", port=0)
    try:
        assert server.adj.max_request_body_size == largest_limit(app) + 1
    finally:
        server.close()
