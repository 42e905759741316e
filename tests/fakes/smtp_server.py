"""A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, in a thread of the test process.

It answers 550 for the addresses in `refuse` (as a mail server does for a mailbox that does not exist) and
keeps every message it accepted, with its envelope recipients.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class MailServer:
    """What the server received, and whom it refuses."""

    refuse: set[str] = field(default_factory=set)
    received: list[tuple[str, EmailMessage]] = field(default_factory=list)  # (envelope recipient, message)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = BytesParser(policy=policy.default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.extend((recipient.lower(), message) for recipient in envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [message for recipient, message in self.received if recipient == address]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    mail = MailServer()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    servers: list[Any] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(loop.create_server(lambda: SMTP(mail), "127.0.0.1", 0))
        servers.append(server)
        mail.url = f"smtp://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="test-smtp", daemon=True)
    thread.start()
    assert ready.wait(30), "the SMTP server did not start"
    yield mail
    loop.call_soon_threadsafe(servers[0].close)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=30)
