"""Mail as it goes on the wire: `EmailMessage`s built from a domain `MailMessage` with the
Jinja2 templates beside this module (one layout; a text and an HTML file per template)."""

from showgeo_adapters.mail_templates.compose import MailComposer

__all__ = ["MailComposer"]
