from showgeo_adapters.localmail.mailer import FolderMailer

__all__ = ["FolderMailer"]
