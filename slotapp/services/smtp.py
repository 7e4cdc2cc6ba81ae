"""SMTP settings from the environment and the connection that delivers the outbox."""

from __future__ import annotations

import contextlib
import email.utils
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from slotapp.core.validation import is_whole_number

SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
DEFAULT_FROM = "slotapp <no-reply@slotapp.localhost>"


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server."""

    host: str
    port: int
    security: str = "none"  # "none" | "starttls" | "ssl"
    username: str = ""
    password: str = ""
    mail_from: str = DEFAULT_FROM
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            modes = ", ".join(SECURITY_MODES)
            raise ValueError(f"SMTP_SECURITY must be one of {modes}, got {self.security!r}")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"SMTP_PORT must be from 1 to 65535, got {self.port}")
        if "@" not in email.utils.parseaddr(self.mail_from)[1]:
            raise ValueError(f"SLOTAPP_MAIL_FROM needs an address: {self.mail_from!r}")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SmtpConfig | None:
        """The configuration from SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME,
        SMTP_PASSWORD and SLOTAPP_MAIL_FROM.

        Returns:
            None when SMTP_HOST is unset or empty: mail then stays in the outbox only.
            SMTP_PORT defaults to 587 for starttls, 465 for ssl and 25 otherwise.

        Raises:
            ValueError: SMTP_PORT is not a port number, SMTP_SECURITY is not one of
                none/starttls/ssl, or SLOTAPP_MAIL_FROM has no address.
        """
        host = environ.get("SMTP_HOST", "").strip()
        if not host:
            return None
        security = environ.get("SMTP_SECURITY", "").strip().lower() or "none"
        port_text = environ.get("SMTP_PORT", "").strip()
        if port_text and not is_whole_number(port_text):
            raise ValueError(f"SMTP_PORT must be a number from 1 to 65535, got {port_text!r}")
        return cls(
            host=host,
            port=int(port_text) if port_text else DEFAULT_PORTS.get(security, 25),
            security=security,
            username=environ.get("SMTP_USERNAME", ""),
            password=environ.get("SMTP_PASSWORD", ""),
            mail_from=environ.get("SLOTAPP_MAIL_FROM", "").strip() or DEFAULT_FROM,
        )


def connect(config: SmtpConfig) -> smtplib.SMTP:
    smtp: smtplib.SMTP
    if config.security == "ssl":
        context = ssl.create_default_context()
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        if config.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def hang_up(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        smtp.close()
