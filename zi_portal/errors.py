"""Error pages in Indonesian (handler400/403/404/500 in zi_portal/urls.py, and the CSRF failure view).

Each page extends the one base template, says what went wrong — for 403 and 404 the reason the view raised
(`PermissionDenied(_("…"))`, `Http404(_("…"))`, every one of them written in Indonesian) — and offers a way back.

400 and 500 are rendered without a request context: a 400 may come from a request whose host or body cannot be
read, and a 500 may be the database that is gone, so neither runs the context processors (the navigation reads
memberships from the database), the session or the user. If even that template fails, a plain HTML page in
Indonesian is the answer, never a second error.
"""
import logging
from html import escape

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

FALLBACK = ("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>{title} · Portal ZI</title></head>"
            "<body><h1>{title}</h1><p>{reason}</p><p><a href=\"/\">Kembali ke beranda</a></p></body></html>")


def _reason(exception) -> str:
    """The message the view raised, when it is one (a resolver's 404 carries a dict of tried patterns)."""
    if exception is None:
        return ""
    args = getattr(exception, "args", ())
    message = args[0] if args else ""
    return message if isinstance(message, str) else ""


def _render_plain(template: str, context: dict, response_class) -> HttpResponse:
    try:
        body = loader.get_template(template).render(context)
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        logger.exception("error page %s could not be rendered", template)
        body = FALLBACK.format(title=escape(context.get("title", "")), reason=escape(context.get("reason", "")))
    return response_class(body)


def bad_request(request, exception=None):
    context = {"code": 400, "title": _("Permintaan tidak dapat diproses"),
               "reason": _("Permintaan yang dikirim peramban tidak sah atau rusak. Muat ulang halaman, lalu coba "
                           "lagi.")}
    return _render_plain("400.html", context, HttpResponseBadRequest)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", {"code": 403, "title": _("Akses ditolak"), "reason": _reason(exception)},
                  status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", {"code": 404, "title": _("Halaman tidak ditemukan"),
                                        "reason": _reason(exception)}, status=404)


def server_error(request=None):
    context = {"code": 500, "title": _("Terjadi kesalahan pada server"),
               "reason": _("Maaf, halaman ini gagal dibuat. Kesalahan sudah dicatat untuk administrator; silakan "
                           "coba lagi beberapa saat lagi.")}
    return _render_plain("500.html", context, HttpResponseServerError)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form posted from a page that is too old (the token changed at login or logout), or
    without cookies. Django's own page is English and technical."""
    message = _("Formulir ini sudah kedaluwarsa atau dikirim tanpa cookie. Muat ulang halaman, lalu kirim lagi.")
    return render(request, "403.html", {"code": 403, "title": _("Formulir tidak dapat dikirim"), "reason": message},
                  status=403)
