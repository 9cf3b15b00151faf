"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests of e-mail delivery: what it
accepts is parsed and kept; it can be told to refuse an address for good (550) or to
fail for now (451), and it can be stopped and started again on the same port."""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Handler:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()
        self.failing = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user"
        if self.failing:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.handler = Handler()
        self.controller = None

    @property
    def messages(self):
        return self.handler.messages

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
