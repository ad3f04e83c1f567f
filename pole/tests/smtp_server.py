"""A real SMTP server for the tests of the outbox: it accepts, refuses for now, or refuses for good.

aiosmtpd serves on 127.0.0.1 in a thread of the test process; Django's SMTP backend talks to it
over a real connection, so a refusal is the SMTP answer a mail server gives (« 451 » or « 550 »),
not a mock. The root conftest's ``smtp_server`` fixture points Django's e-mail settings at it.
"""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller

ACCEPT = "accept"
REFUSE_FOR_NOW = "refuse"  # 451 to every recipient: the server is unavailable, try later
REFUSE_FOR_GOOD = "reject"  # 550 to every recipient: no such mailbox


class _Handler:
    def __init__(self):
        self.mode = ACCEPT
        self.messages = []
        self.refusals = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == REFUSE_FOR_NOW:
            self.refusals += 1
            return "451 4.3.2 Service temporairement indisponible, reessayez plus tard"
        if self.mode == REFUSE_FOR_GOOD:
            self.refusals += 1
            return "550 5.1.1 Boite aux lettres inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPTestServer:
    """An SMTP server on 127.0.0.1: ``mode`` is ``accept``, ``refuse`` (451) or ``reject`` (550).

    ``messages`` holds what it accepted, as ``email.message.EmailMessage`` objects.
    """

    def __init__(self):
        self.handler = _Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def mode(self):
        return self.handler.mode

    @mode.setter
    def mode(self, value):
        assert value in (ACCEPT, REFUSE_FOR_NOW, REFUSE_FOR_GOOD), value
        self.handler.mode = value

    @property
    def messages(self):
        return self.handler.messages

    @property
    def refusals(self):
        return self.handler.refusals

    def settings(self):
        """Django's e-mail settings that send to this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }
