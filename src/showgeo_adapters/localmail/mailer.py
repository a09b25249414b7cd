"""The embedded default Mailer: each message becomes an `.eml` file in a folder.

`showgeo serve` on a fresh machine has no mail server; a developer who asks for a password
reset finds the mail in `./mail/` (any mail client opens `.eml`) and the log line names it.
The file is written under a temporary name and renamed, so a reader never sees half a mail;
its name is the send time and the mail's key reference, so a resend overwrites, not doubles.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from showgeo_adapters.mail_templates import MailComposer
from showgeo_domain.mail.errors import TemporaryMailFailure
from showgeo_domain.mail.model import MailMessage
from showgeo_domain.shared.clock import Clock

log = logging.getLogger("showgeo.mail")


class FolderMailer:
    def __init__(self, directory: str | Path, composer: MailComposer, clock: Clock) -> None:
        self.directory = Path(directory)
        self._composer = composer
        self._clock = clock

    async def send(self, message: MailMessage) -> str:
        mail = self._composer.compose(message, self._clock.now())
        path = self.directory / f"{message.template.value}-{message.key.reference}.eml"
        try:
            await asyncio.to_thread(self._write, path, mail.as_bytes())
        except OSError as exc:  # a full disk or a missing permission: fixable, so retried
            raise TemporaryMailFailure(f"cannot write {path}: {exc}") from exc
        log.info("mail %r to %s written to %s", message.subject, message.to.address, path)
        return str(mail["Message-ID"])

    def _write(self, path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(content)
        os.replace(partial, path)
