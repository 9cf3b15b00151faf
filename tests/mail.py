"""E-mail backends that behave like a mail server that refuses or fails, for tests.

They keep what they accept in django.core.mail.outbox, as the locmem backend does."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

REFUSED: set[str] = set()  # addresses the server refuses for good (550)
FAILING: set[str] = set()  # addresses whose message makes the server fail (421, for now)


class TroubledBackend(EmailBackend):
    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address in REFUSED:
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"No such user")})
                if address in FAILING:
                    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
