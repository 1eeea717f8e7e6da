"""Email through SES, as raw messages (the text, its HTML twin, and List-Unsubscribe headers,
which SES takes only raw). Where SES is not there (a local stack without it), the log says what
would have been sent: what the mail announces is saved whatever happens to the mail."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formataddr

LOG = logging.getLogger(__name__)


def send(ses, sender: str, sender_name: str, to: str, subject: str, text: str, html: str | None = None,
         unsubscribe_url: str | None = None) -> bool:
    """One email to one address; with `unsubscribe_url`, List-Unsubscribe and one-click
    List-Unsubscribe-Post (RFC 8058): mail clients show an unsubscribe button that POSTs to it.
    Whether SES took it (the callers decide what a failure means)."""
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender))
    message["To"] = to
    message["Subject"] = subject
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    try:
        ses.send_raw_email(Source=sender, Destinations=[to], RawMessage={"Data": message.as_bytes()})
        LOG.info("emailed %s: %s", to, subject)
        return True
    except Exception as error:  # noqa: BLE001 - the caller records it as not sent (or logs the loss)
        LOG.warning("no email to %s (%s): %s", to, error, subject)
        return False
