"""``manage.py process_mail_feedback FILE...``: read bounces and complaints that came
back by mail (delivery status notifications, abuse reports) and mark the addresses they
name undeliverable. FILE is a message, a Maildir folder (its new/ and cur/ messages), or
"-" for one message on standard input, as a mail server's pipe delivers it."""

import logging
import mailbox
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.models import OutgoingEmail
from sharing.advisories import contacts, feedback

logger = logging.getLogger(__name__)

# A report is a few kilobytes; anything much larger is not one.
MAX_MESSAGE = 5 * 1024 * 1024


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", help='message files, Maildir folders, or "-"')

    def handle(self, *args, sources, **options):
        seen = marked = 0
        for raw in self._messages(sources):
            seen += 1
            try:
                found = feedback.report(raw[:MAX_MESSAGE])
            except Exception:  # one unreadable message must not stop the others
                logger.warning("A message of the feedback mailbox could not be read.")
                continue
            if found is None:
                continue
            message_id, kind = found
            sent = OutgoingEmail.objects.filter(message_id=message_id).first()
            about, _colon, key = (sent.about if sent else "").partition(":")
            if about == "contact" and key.isdigit():
                marked += contacts.mark_undeliverable(int(key), kind=kind)
        self.stdout.write(f"{seen} message(s) read; {marked} contact(s) marked undeliverable.")

    def _messages(self, sources):
        for source in sources:
            if source == "-":
                yield sys.stdin.buffer.read(MAX_MESSAGE + 1)
                continue
            path = Path(source)
            if path.is_dir():
                folder = mailbox.Maildir(path, create=False)
                for key in folder.iterkeys():
                    yield folder.get_bytes(key)
            elif path.is_file():
                yield path.read_bytes()
            else:
                raise CommandError(f"{source}: no such file or folder")
