"""E-mail through Django's configured backend (SMTP in production); failures are reported, not swallowed."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from perfloop.monitoring.channels import DeliveryError


def email_send(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail; a refused recipient is final, a connection problem is worth a retry."""
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise DeliveryError(f"refused: {exc}", is_retryable=False) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}", is_retryable=True) from exc
