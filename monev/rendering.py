"""Rendering and signing of a semester report: the work of the `monev.tasks.render_report` task.
Kept apart from `services.py` (which queues the task) so that no module imports in a circle."""
import datetime
import hashlib
import logging
import secrets
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplan.audit import audit_record

from . import selectors, signals
from .models import Report, UnitCertificate

logger = logging.getLogger(__name__)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper


def signing_material(unit) -> tuple[bytes, str]:
    """(PKCS#12 bytes, passphrase) of the unit: its uploaded certificate, else MONEV_SIGNING_P12_PATH."""
    from .signing import SigningError, decrypt_secret

    cert = UnitCertificate.objects.filter(unit=unit).first()
    if cert is not None:
        return decrypt_secret(bytes(cert.p12_encrypted)), decrypt_secret(bytes(cert.passphrase_encrypted)).decode()
    path = settings.MONEV_SIGNING_P12_PATH
    if not path or not Path(path).is_file():
        raise SigningError(_("Sertifikat tanda tangan unit belum tersedia. Administrator perlu mengunggah "
                             "sertifikat (PKCS#12) unit ini, atau menjalankan `manage.py make_demo_certificate` "
                             "untuk demo."))
    passphrase = settings.MONEV_SIGNING_P12_PASSPHRASE
    beside = Path(path).with_suffix(".passphrase")
    if not passphrase and beside.is_file():
        passphrase = beside.read_text().strip()
    return Path(path).read_bytes(), passphrase


def _pdf_inputs(report: Report, snapshot: dict) -> dict:
    followups = [{"text": f.recommendation.text, "status_label": f.get_status_display(), "note": f.note}
                 for f in report.followups.select_related("recommendation").order_by("recommendation__order")]
    return {"snapshot": snapshot, "number": report.number, "conclusions": report.conclusions,
            "recommendations": [{"text": r.text} for r in report.recommendations.all()],
            "previous_followups": followups,
            "logo_path": report.plan.unit.logo.path if report.plan.unit.logo else None}


def new_verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def report_render(*, report_id: int, claim: str = "") -> None:
    """The task's work: claim the queued render, produce the PDF (and for "final" sign it), store it.

    Runs once per request: a second delivery finds nothing queued and does nothing. The one exception is the
    same message delivered again after its worker died mid-render (Celery's acks_late): it carries the same
    `claim` (the task id) and takes the render over. Only the delivery that still holds the claim stores its
    PDF, so even two deliveries racing store one file. Failures are stored with their reason."""
    from .pdf import page_count, render_report_pdf, signature_box
    from .signing import SigningError, sign_pdf

    claim = claim or secrets.token_hex(16)
    mine = Q(render_state=Report.RenderState.QUEUED) | Q(render_state=Report.RenderState.RENDERING,
                                                         render_claim=claim)
    claimed = Report.objects.filter(mine, pk=report_id).update(render_state=Report.RenderState.RENDERING,
                                                              render_claim=claim)
    if not claimed:
        return
    report = Report.objects.select_related("plan__unit", "sign_requested_by").get(pk=report_id)
    stored = None
    try:
        if report.render_kind == "final":
            code = report.verification_code or new_verification_code()
            url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("monev:verify", args=[code])
            _name, pdf = render_report_pdf(**_pdf_inputs(report, report.snapshot), draft=False,
                                           issued_on=timezone.localdate(), verification={"code": code, "url": url})
            page, box = signature_box(pdf)
            p12, passphrase = signing_material(report.plan.unit)
            snap = report.snapshot
            signed = sign_pdf(pdf=pdf, p12=p12, passphrase=passphrase, page=page, box=box,
                              reason=f"Persetujuan Laporan Monev ZI Semester {report.semester_roman} "
                                     f"Tahun {report.plan.year}",
                              location=snap["unit"]["city"] or snap["unit"]["name"])
            with transaction.atomic():
                locked = Report.objects.select_for_update().get(pk=report.pk)
                if not _still_claimed(locked, claim):
                    return
                if locked.status != Report.Status.SUBMITTED:
                    raise ValidationError(_("Laporan berubah status saat ditandatangani."))
                stored = default_storage.save(f"laporan/{secrets.token_hex(16)}.pdf", ContentFile(signed))
                locked.signed_pdf.name = stored
                locked.signed_sha256 = hashlib.sha256(signed).hexdigest()
                locked.verification_code = code
                locked.status = Report.Status.SIGNED
                locked.signed_by, locked.signed_at = report.sign_requested_by, timezone.now()
                locked.pages, locked.render_state = page_count(signed), Report.RenderState.READY
                locked.save()
                transaction.on_commit(partial(signals.report_signed.send, sender=Report, report=locked,
                                              signer=report.sign_requested_by))
                audit_record(actor=report.sign_requested_by, action="report.sign", unit_id=report.plan.unit_id,
                             obj=locked, summary=_("Laporan v%(v)s ditandatangani (kode %(c)s)")
                             % {"v": locked.version, "c": code}, data={"sha256": locked.signed_sha256})
        else:
            snapshot = report.snapshot if report.snapshot is not None else selectors.report_snapshot(
                plan=report.plan, semester=report.semester,
                as_of=selectors.report_as_of(report.plan, report.semester, timezone.localdate()))
            _name, pdf = render_report_pdf(**_pdf_inputs(report, snapshot), draft=True,
                                           issued_on=datetime.date.fromisoformat(snapshot["as_of"]))
            with transaction.atomic():
                locked = Report.objects.select_for_update().get(pk=report.pk)
                if not _still_claimed(locked, claim):
                    return
                old = locked.draft_pdf.name
                stored = default_storage.save(f"laporan/{secrets.token_hex(16)}.pdf", ContentFile(pdf))
                locked.draft_pdf.name, locked.draft_sha256 = stored, hashlib.sha256(pdf).hexdigest()
                locked.pages, locked.render_state = page_count(pdf), Report.RenderState.READY
                locked.save(update_fields=["draft_pdf", "draft_sha256", "pages", "render_state"])
            if old:  # drafts are working copies; the signed file is what is kept
                transaction.on_commit(lambda: default_storage.delete(old))
    except Exception as exc:  # noqa: BLE001 — any failure is shown on the page with its reason
        if stored:
            default_storage.delete(stored)
        if isinstance(exc, ValidationError):
            message = exc.messages[0]
        elif isinstance(exc, SigningError):
            message = str(exc)
        else:
            logger.exception("report %s: rendering failed", report_id)
            message = _("Pembuatan PDF gagal (%(e)s). Coba lagi atau hubungi administrator.") % {
                "e": type(exc).__name__}
        Report.objects.filter(pk=report_id, render_claim=claim).update(render_state=Report.RenderState.FAILED,
                                                                      render_error=message[:2000])


def _still_claimed(locked: Report, claim: str) -> bool:
    """Inside the final transaction, with the row locked: is this delivery still the one rendering?"""
    return locked.render_state == Report.RenderState.RENDERING and locked.render_claim == claim
