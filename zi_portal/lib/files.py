"""Handing a stored file (evidence, a report) to a browser, after the view's permission check.

`FILE_DELIVERY` chooses how, for every download view at once:

- ``stream`` (default): the app streams the file itself (`FileResponse`), from any storage.
- ``accel``: the app answers with an empty response carrying ``X-Accel-Redirect: FILE_ACCEL_PREFIX + name`` and
  the headers, and nginx sends the file from MEDIA_ROOT (`deploy/nginx.conf`, an ``internal`` location that a
  browser cannot request), which frees the gunicorn worker for the next request.
- ``redirect``: a 302 to a signed URL of the object storage that lives ``AWS_QUERYSTRING_EXPIRE`` seconds, with
  the file name, type and disposition signed into it; for S3-compatible storage only (settings refuse otherwise).

Every way sends ``X-Content-Type-Options: nosniff`` and ``Cache-Control: private, no-store``, and only after the
caller has checked the permission: a signed URL or an accel path is never put in a page.
"""
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def _secure(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def protected_file_response(file: FieldFile, *, filename: str, content_type: str, inline: bool) -> HttpResponse:
    """The response that delivers `file` as `filename`; the caller has already checked the permission."""
    delivery = settings.FILE_DELIVERY
    disposition = content_disposition_header(not inline, filename)
    if delivery == "accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.FILE_ACCEL_PREFIX + quote(file.name)
        response["Content-Disposition"] = disposition
        return _secure(response)
    if delivery == "redirect":
        url = file.storage.url(file.name, parameters={"ResponseContentDisposition": disposition,
                                                      "ResponseContentType": content_type,
                                                      "ResponseCacheControl": "private, no-store"},
                               expire=settings.AWS_QUERYSTRING_EXPIRE)
        return _secure(HttpResponseRedirect(url))
    response = FileResponse(file.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type)
    return _secure(response)


def discard_stored(names: list[str]) -> None:
    """Remove files stored by a write that failed (so no orphan is left); a file already gone is fine."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass
