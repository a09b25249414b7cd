"""Builders for mail: which Mailer the settings choose, and the delivery that uses it."""

from __future__ import annotations

from showgeo_adapters.localmail import FolderMailer
from showgeo_adapters.mail_templates import MailComposer
from showgeo_adapters.smtp import SmtpMailer
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_api.settings import Settings
from showgeo_domain.identity.services import PasswordRecovery
from showgeo_domain.mail.handlers import PasswordResetMail
from showgeo_domain.mail.ports import Mailer
from showgeo_domain.mail.services import MailDelivery
from showgeo_domain.shared.clock import Clock

RESET_PAGE = "/app/password/reset"
"""The web page a reset mail links to (showgeo_api.web.password)."""


def build_mailer(settings: Settings, composer: MailComposer, clock: Clock) -> Mailer:
    """SMTP when SMTP_URL is set, else `.eml` files in MAIL_DIR (the embedded default)."""
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, composer, clock)
    return FolderMailer(settings.mail_dir, composer, clock)


def build_mail_delivery(
    settings: Settings, uow: PlatformUnitOfWorkFactory, mailer: Mailer, clock: Clock
) -> MailDelivery:
    return MailDelivery(
        uow,
        mailer,
        clock,
        concurrency=settings.mail_concurrency,
        hourly_cap=settings.mail_hourly_cap,
    )


def build_password_reset_mail(
    settings: Settings, recovery: PasswordRecovery, clock: Clock
) -> PasswordResetMail:
    return PasswordResetMail(recovery, clock, settings.public_base_url.rstrip("/") + RESET_PAGE)
