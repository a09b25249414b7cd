"""Building the standard library's `EmailMessage` for a domain `MailMessage`.

Plain text first, HTML as the alternative (clients show the last part they can), both from
the template named after the mail's kind. Message-ID is derived from the mail's key, so a
copy sent twice after a crash is recognisably the same message; Date is the sending time.
The headers go through `email.policy.SMTP`, which refuses a CR or LF in a header value on
its own, behind the domain's neutralising of them.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from showgeo_domain.mail.model import MailMessage
from showgeo_domain.shared.errors import InvalidInput

TEMPLATES = Path(__file__).parent / "templates"


def parse_sender(raw: str) -> Address:
    """`MAIL_FROM` as an address: `Showgeo <noreply@example.com>` or a bare address."""
    name, address = parseaddr(raw)
    if "@" not in address or any(c in raw for c in "\r\n"):
        raise InvalidInput(f"MAIL_FROM {raw!r} is not an address", field="mail_from")
    user, _, domain = address.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


class MailComposer:
    def __init__(self, sender: str, site_url: str) -> None:
        self.sender = parse_sender(sender)
        self._site_url = site_url.rstrip("/")
        loader = FileSystemLoader(TEMPLATES)
        self._html = Environment(
            loader=loader, autoescape=select_autoescape(["j2"]), undefined=StrictUndefined
        )
        self._text = Environment(loader=loader, autoescape=False, undefined=StrictUndefined)  # noqa: S701 - plain text

    def message_id(self, message: MailMessage) -> str:
        return f"<{message.key.reference}@{self.sender.domain}>"

    def compose(self, message: MailMessage, now: datetime) -> EmailMessage:
        variables = {"site_url": self._site_url, "subject": message.subject, **message.variables}
        name = message.template.value
        text = self._text.get_template(f"{name}.txt.j2").render(variables)
        html = self._html.get_template(f"{name}.html.j2").render(variables)
        mail = EmailMessage(policy=SMTP)
        mail["From"] = self.sender
        user, _, domain = message.to.address.rpartition("@")
        mail["To"] = Address(display_name=message.to.name or "", username=user, domain=domain)
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(now)
        mail["Message-ID"] = self.message_id(message)
        mail.set_content(text)
        mail.add_alternative(html, subtype="html")
        return mail
