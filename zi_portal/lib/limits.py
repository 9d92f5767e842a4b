"""Request bodies are bounded before they cost anything: a body whose Content-Length is past
UPLOAD_MAX_REQUEST_MB is answered 413 before a byte of it is read, and an uploaded file stops being read (and
written to the temporary folder) the moment it passes EVIDENCE_MAX_UPLOAD_MB, so a 200 MB body never lands on disk
only to be refused afterwards by the content check.
"""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render


def _mb(n: int) -> int:
    return n * 1024 * 1024


def view_name(request) -> str:
    """The URL name of the request (resolved once and kept on the request), "" when none."""
    name = getattr(request, "_limits_view_name", None)
    if name is None:
        from django.urls import Resolver404, resolve

        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = ""
        request._limits_view_name = name
    return name


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than UPLOAD_MAX_REQUEST_MB (or the smaller limit
    BODY_LIMITS_MB gives its URL name), before anything reads it (the CSRF check and the views read bodies later,
    in process_view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit_mb = settings.UPLOAD_MAX_REQUEST_MB
        if declared > _mb(min(settings.BODY_LIMITS_MB.values(), default=limit_mb)):
            limit_mb = settings.BODY_LIMITS_MB.get(view_name(request), limit_mb)
        if declared > _mb(limit_mb):
            response = render(request, "413.html", {"limit_mb": limit_mb, "file_limit_mb": min(
                limit_mb, settings.EVIDENCE_MAX_UPLOAD_MB)}, status=413)
            response["Connection"] = "close"  # the unread body is not read to keep the connection
            return response
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts the bytes of each uploaded file and stops the whole upload (no
    further reading of the body) once one passes EVIDENCE_MAX_UPLOAD_MB. The names of the files cut off are left
    in `request.upload_refused` for the view to say so; the partial temporary file is closed and deleted by
    Django."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > _mb(settings.EVIDENCE_MAX_UPLOAD_MB):
            if self.request is not None:
                refused = getattr(self.request, "upload_refused", None)
                if refused is None:
                    refused = self.request.upload_refused = []
                refused.append(self.file_name)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
