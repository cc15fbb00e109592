"""A real SMTP server on 127.0.0.1 for the delivery tests (aiosmtpd): it records every
message as received, and answers DATA from a script (e.g. a 451 first, then 250)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class Recorder:
    """The handler: `answers` are the replies to the next DATA commands, in order
    (None accepts); once they run out, `otherwise` (None accepts)."""

    answers: list[str | None] = field(default_factory=list)
    otherwise: str | None = None
    received: list[Received] = field(default_factory=list)
    refused: list[tuple[list[str], str]] = field(default_factory=list)
    # stall_next: hold the next DATA without answering (a worker can be killed mid-send);
    # `stalled` is set once it is being held.
    stall_next: bool = False
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            await asyncio.sleep(120)
            return "451 4.4.2 Timed out"
        answer = self.answers.pop(0) if self.answers else self.otherwise
        if answer is not None:
            self.refused.append((list(envelope.rcpt_tos), answer))
            return answer
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return "250 Message accepted for delivery"

    @property
    def data_commands(self) -> int:
        return len(self.received) + len(self.refused)


class SMTPServer:
    def __init__(self):
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
