"""The one e-mail helper (STYLE.md §7): every mail is `templates/emails/<name>-subject.txt`, `-body.txt` and
`-body.html`, rendered in the portal's language and sent as text with an HTML alternative."""
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    """A full link for a mail (there is no request to take the host from): PORTAL_BASE_URL + path."""
    return urljoin(settings.PORTAL_BASE_URL.rstrip("/") + "/", path.lstrip("/"))


def render_email(name: str, context: dict, *, language: str | None = None) -> tuple[str, str, str]:
    """(subject, text body, HTML body). Dates and words follow `language` (default LANGUAGE_CODE, "id"):
    a Celery worker has no request, so the language is activated here, not by the locale middleware."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"portal_url": absolute_url("/"), **context}
        # A subject is one line, however the template wraps it.
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def send_email(name: str, *, to: list[str], context: dict, language: str | None = None,
               headers: dict | None = None) -> None:
    """Render and send one mail. Raises what the mail backend raises (smtplib.SMTPException, OSError), so a
    Celery task can retry."""
    subject, text, html = render_email(name, context, language=language)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
