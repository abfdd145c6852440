"""A real SMTP relay for the tests: aiosmtpd on a free loopback port (see COMPONENTS.md).

``smtp_relay`` is a running server that keeps every mail it accepts; ``relay.stop()`` and
``relay.start()`` take it down and bring it back on the same port (a relay outage), and
``relay.refuse(address, code)`` makes it answer RCPT TO for that address with ``code``.
``smtp_app`` points the session app's SMTP settings at it and puts them back afterwards.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

REFUSALS = {
    550: "550 5.1.1 Recipient address rejected: user unknown",
    450: "450 4.2.1 Mailbox busy, try again later",
}


@dataclass
class ReceivedMail:
    """One mail as the relay got it: the envelope and the raw bytes, parsed on demand."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    def raw_header(self, name: str) -> str:
        """The header exactly as sent (folded lines joined), before any decoding."""
        compat = email.message_from_bytes(self.raw, policy=email.policy.compat32)
        value = compat[name]
        return "" if value is None else str(value).replace("\r\n", "\n").replace("\n", "")


@dataclass
class _Handler:
    received: list[ReceivedMail] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        code = self.refused.get(address.lower())
        if code is not None:
            return REFUSALS[code]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos),
                             bytes(envelope.original_content))
            )
        return "250 2.0.0 Message accepted"


def _free_port() -> int:
    # aiosmtpd 1.4.6 cannot listen on port 0: ask the kernel for a free port first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpRelay:
    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port = _free_port()
        self._handler = _Handler()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._handler.lock:
            return list(self._handler.received)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Listen (again) on the same port."""
        if self._controller is None:
            controller = Controller(self._handler, hostname=self.host, port=self.port,
                                    enable_SMTPUTF8=True)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        """Stop listening: clients get "connection refused" as from a relay that is down."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str, code: int = 550) -> None:
        """Answer RCPT TO for ``address`` with ``code`` (550 permanent, 450 passing)."""
        self._handler.refused[address.lower()] = code

    def accept(self, address: str) -> None:
        self._handler.refused.pop(address.lower(), None)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[ReceivedMail]:
        """Wait until ``count`` mails have arrived (a bound, not a speed check)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} mails, the relay has "
                                     f"{len(self.messages)}")
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp_relay():
    relay = SmtpRelay()
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


@pytest.fixture
def smtp_app(app, smtp_relay, monkeypatch):
    """The session app with its SMTP settings pointing at ``smtp_relay`` (restored after)."""
    monkeypatch.setitem(app.config, "SMTP_HOST", smtp_relay.host)
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_relay.port)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    monkeypatch.setitem(app.config, "SMTP_USER", "")
    monkeypatch.setitem(app.config, "SMTP_FROM", "workhub@city.example.jp")
    return app
