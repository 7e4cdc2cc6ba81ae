"""The loop that delivers queued email in the background of the server."""

from __future__ import annotations

import asyncio
import logging
import os

from sqlmodel import Session

from slotapp.clock import utcnow
from slotapp.db import get_engine
from slotapp.services.mailer import SmtpConfig, deliver_due

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 10.0


def deliver_once(config: SmtpConfig | None) -> None:
    """One pass over the due messages, on a session of its own."""
    with Session(get_engine(), expire_on_commit=False) as session:
        report = deliver_due(session=session, config=config, now=utcnow())
    if report.sent or report.retried or report.failed:
        log.info(
            "mail: %s sent, %s to retry, %s failed", report.sent, report.retried, report.failed
        )


async def deliver_forever() -> None:
    """Deliver due mail every few seconds; with no SMTP configured, mail stays in the outbox."""
    config = SmtpConfig.from_environ(os.environ)
    if config is None:
        log.info("mail: SMTP_HOST not set, messages stay in the outbox")
        return
    while True:
        try:
            await asyncio.to_thread(deliver_once, config)
        except Exception:  # a broken pass must not end the loop: the next pass retries
            log.exception("mail delivery pass failed")
        await asyncio.sleep(INTERVAL_SECONDS)
