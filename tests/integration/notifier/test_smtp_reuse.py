"""The e-mail sender reuses an SMTP connection for messages close together, and never one the server has closed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from clausewatch_notifier import senders
from clausewatch_notifier.render import Rendered, build_message
from clausewatch_notifier.senders import EmailSender
from clausewatch_notifier.settings import NotifierSettings
from tests.integration.notifier.servers import Inbox, PortZeroController


@dataclass
class CountingInbox(Inbox):
    """An inbox that also counts the SMTP sessions opened (one EHLO each)."""

    sessions: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        """Count the greeting and answer as aiosmtpd would."""
        self.sessions += 1
        session.host_name = hostname
        return responses


def _message(n: int) -> Any:
    rendered = Rendered(f"alert {n}", f"text {n}\n", None)
    return build_message(
        rendered,
        sender="clausewatch <alerts@clausewatch.local>",
        to="ana@example.org",
        unsubscribe_url="https://clausewatch.test/unsubscribe/t",
        message_key=f"delivery-{n}",
    )


async def test_messages_close_together_share_a_connection_and_a_closed_one_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three messages in a row open one session; after the server restarts the next opens a new one and is delivered; a connection idle too long is not reused."""
    inbox = CountingInbox()
    controller: Controller = PortZeroController(inbox)
    controller.start()
    port = controller.port
    sender = EmailSender(NotifierSettings(smtp_host="127.0.0.1", smtp_port=port))
    try:
        for n in range(3):
            assert (await sender.send(_message(n))).ok
        assert (len(inbox.messages), inbox.sessions) == (3, 1)

        controller.stop()  # closes the kept connection's socket
        # The restart must come back on the same port (the sender's kept connection points there); another process
        # taking it in between would fail here with EADDRINUSE rather than answer in its place.
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        await asyncio.sleep(0.2)  # the client notices the close
        assert (await sender.send(_message(3))).ok
        assert (len(inbox.messages), inbox.sessions) == (4, 2)

        monkeypatch.setattr(senders, "SMTP_REUSE_SECONDS", 0.0)
        assert (await sender.send(_message(4))).ok
        assert (len(inbox.messages), inbox.sessions) == (5, 3)
        assert [m["Subject"] for m in inbox.messages] == [f"alert {n}" for n in range(5)]
    finally:
        await sender.aclose()
        controller.stop()
