from showgeo_adapters.smtp.mailer import SmtpMailer

__all__ = ["SmtpMailer"]
