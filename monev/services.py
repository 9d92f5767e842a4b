"""Writes of the semester Monev report workflow.

Ketua Tim writes the conclusions and recommendations, asks for a draft (watermarked "DRAF") and submits: the
submission freezes a snapshot of the data. Kepala Dinas returns it with a note, or approves and signs: the final
PDF (with a QR code to the public verification page) is rendered from the snapshot and signed (PAdES, pyHanko)
with the unit's certificate. Signed reports never change; a correction is a new version that replaces the old.

Rendering and signing run in a Celery task (`monev.tasks.render_report`), queued after commit; the report row
shows the state (queued / rendering / ready / failed with the reason). Every step writes the audit trail.
"""
import datetime
import hashlib
import logging
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplan.audit import audit_record
from actionplan.models import Membership, Plan, Role

from . import selectors, signals, tasks
from .models import FollowUp, Recommendation, Report, ReportDownload, ReportReturn
from .rendering import signing_material

logger = logging.getLogger(__name__)
EDIT_ROLES = {Role.KETUA}
SIGN_ROLES = {Role.KEPALA}
RETURN_NOTE_MAX_LENGTH = 4000


def _require(membership: Membership | None, roles: set, message: str) -> None:
    if membership is None or membership.role not in roles:
        raise PermissionDenied(message)


def default_number(plan: Plan, semester: int, version: int) -> str:
    roman = "I" if semester == 1 else "II"
    return f"MONEV-ZI/{plan.year}/SEM-{roman}/V{version}"


previous_report = selectors.previous_report


def report_start(*, plan: Plan, semester: int, user, membership: Membership | None, ip: str | None = None) -> Report:
    """The editable report of the semester: the latest version if it is still editable, else a new first one.
    Follow-ups are opened for each recommendation of the previous semester's signed report."""
    _require(membership, EDIT_ROLES, _("Hanya Ketua Tim yang menyusun laporan monev."))
    with transaction.atomic():
        latest = Report.objects.select_for_update().filter(plan=plan, semester=semester).order_by("-version").first()
        if latest is not None:
            return latest
        report = Report(plan=plan, semester=semester, version=1, number=default_number(plan, semester, 1),
                        created_by=user)
        report.full_clean()
        report.save()
        _open_followups(report)
        audit_record(actor=user, action="report.create", unit_id=plan.unit_id, obj=report, ip=ip,
                     summary=_("Laporan monev semester %(s)s versi 1 dibuat") % {"s": report.semester_roman})
    return report


def _open_followups(report: Report) -> None:
    previous = previous_report(report.plan, report.semester)
    if previous is not None:
        FollowUp.objects.bulk_create([FollowUp(report=report, recommendation=r)
                                      for r in previous.recommendations.all()])


def report_save(*, report: Report, user, membership: Membership | None, number: str, conclusions: str,
                recommendations: list[str], followups: dict[int, tuple[str, str]], ip: str | None = None) -> Report:
    """Save the Ketua Tim's text: number, conclusions, recommendations (one per item) and follow-up statuses."""
    _require(membership, EDIT_ROLES, _("Hanya Ketua Tim yang menyusun laporan monev."))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not report.is_editable:
            raise ValidationError(_("Laporan yang sudah diajukan atau ditandatangani tidak dapat diubah."))
        report.number = number.strip()
        report.conclusions = conclusions.strip()
        report.full_clean()
        report.save(update_fields=["number", "conclusions"])
        report.recommendations.all().delete()
        Recommendation.objects.bulk_create([Recommendation(report=report, order=i, text=text.strip())
                                            for i, text in enumerate(recommendations) if text.strip()])
        for followup in report.followups.all():
            if followup.pk in followups:
                followup.status, followup.note = followups[followup.pk]
                followup.full_clean()
                followup.save(update_fields=["status", "note"])
        audit_record(actor=user, action="report.edit", unit_id=report.plan.unit_id, obj=report, ip=ip,
                     summary=_("Simpulan dan rekomendasi laporan v%(v)s disimpan") % {"v": report.version},
                     data={"recommendations": len([r for r in recommendations if r.strip()])})
    return report


def _queue_render(report: Report, kind: str) -> None:
    Report.objects.filter(pk=report.pk).update(render_state=Report.RenderState.QUEUED, render_kind=kind,
                                               render_error="", render_requested_at=timezone.now(),
                                               render_claim="")
    transaction.on_commit(lambda: tasks.render_enqueue(task=tasks.render_report, report_id=report.pk))


def report_request_draft(*, report: Report, user, membership: Membership | None, ip: str | None = None) -> None:
    """Queue a draft PDF (watermarked): live data while editable, the frozen snapshot once submitted."""
    _require(membership, EDIT_ROLES | SIGN_ROLES, _("Hanya Ketua Tim dan Kepala Dinas yang membuat draf."))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Report.Status.SIGNED:
            raise ValidationError(_("Laporan sudah ditandatangani; unduh versi bertanda tangan."))
        _queue_render(report, "draft")
        audit_record(actor=user, action="report.draft", unit_id=report.plan.unit_id, obj=report, ip=ip,
                     summary=_("Draf laporan v%(v)s diminta") % {"v": report.version})


def _checked_text(value: str, *, field: str, max_length: int = RETURN_NOTE_MAX_LENGTH) -> str:
    """Text straight from a request (no form): PostgreSQL cannot store NUL, and a note is not a book."""
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("Catatan berisi karakter yang tidak sah.")})
    if len(value) > max_length:
        raise ValidationError({field: _("Catatan terlalu panjang (%(n)s karakter, maksimal %(max)s).")
                               % {"n": len(value), "max": max_length}})
    return value


def report_submit(*, report: Report, user, membership: Membership | None, ip: str | None = None,
                  today: datetime.date | None = None, answer: str = "") -> Report:
    """Freeze the snapshot and send the report to the Kepala Dinas. After a return, `answer` is the Ketua Tim's
    reply to the Kepala Dinas's note; it is kept with the note in the report's history (ReportReturn)."""
    _require(membership, EDIT_ROLES, _("Hanya Ketua Tim yang mengajukan laporan."))
    answer = _checked_text(answer, field="answer")
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("plan__unit").get(pk=report.pk)
        if not report.is_editable:
            raise ValidationError(_("Laporan ini sudah diajukan atau ditandatangani."))
        if not report.conclusions.strip():
            raise ValidationError(_("Tuliskan simpulan Ketua Tim sebelum mengajukan laporan."))
        as_of = selectors.report_as_of(report.plan, report.semester, today or timezone.localdate())
        report.snapshot = selectors.report_snapshot(plan=report.plan, semester=report.semester, as_of=as_of)
        report.as_of = as_of
        report.status = Report.Status.SUBMITTED
        report.submitted_by, report.submitted_at = user, timezone.now()
        report.returned_note = ""
        report.save(update_fields=["snapshot", "as_of", "status", "submitted_by", "submitted_at", "returned_note"])
        ReportReturn.objects.filter(report=report, answered_at__isnull=True).update(
            answer=answer, answered_by=user, answered_at=report.submitted_at)
        _queue_render(report, "draft")
        transaction.on_commit(partial(signals.report_submitted.send, sender=Report, report=report, user=user,
                                      submitted_at=report.submitted_at))
        audit_record(actor=user, action="report.submit", unit_id=report.plan.unit_id, obj=report, ip=ip,
                     summary=_("Laporan semester %(s)s v%(v)s diajukan ke Kepala Dinas")
                     % {"s": report.semester_roman, "v": report.version},
                     data={"as_of": as_of.isoformat(), "summary": report.snapshot["summary"],
                           **({"answer": answer} if answer else {})})
    return report


def report_return(*, report: Report, user, membership: Membership | None, note: str, ip: str | None = None) -> Report:
    _require(membership, SIGN_ROLES, _("Hanya Kepala Dinas yang mengembalikan laporan."))
    note = _checked_text(note, field="note")
    if not note:
        raise ValidationError({"note": _("Tuliskan catatan untuk Ketua Tim.")})
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.SUBMITTED or report.render_kind == "final" and \
                report.render_state in (Report.RenderState.QUEUED, Report.RenderState.RENDERING):
            raise ValidationError(
                _("Hanya laporan yang diajukan (dan tidak sedang ditandatangani) dapat dikembalikan."))
        report.status, report.returned_note = Report.Status.RETURNED, note
        report.save(update_fields=["status", "returned_note"])
        entry = ReportReturn(report=report, note=note, returned_by=user)
        entry.full_clean()
        entry.save()
        transaction.on_commit(partial(signals.report_returned.send, sender=Report, report=report, user=user,
                                      return_id=entry.pk, note=note))
        audit_record(actor=user, action="report.return", unit_id=report.plan.unit_id, obj=report, ip=ip,
                     summary=_("Laporan v%(v)s dikembalikan: %(n)s") % {"v": report.version, "n": note[:200]})
    return report


def report_sign(*, report: Report, user, membership: Membership | None, ip: str | None = None,
                reauthenticated: bool = False) -> Report:
    """Approve: check the certificate now (a clear message at once), then queue the final render and signature.
    `reauthenticated`: the Kepala Dinas typed their password again just now (the web page always asks); it is
    written to the audit trail with the approval."""
    from .signing import SigningError, load_certificate

    _require(membership, SIGN_ROLES, _("Hanya Kepala Dinas yang menyetujui dan menandatangani laporan."))
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("plan__unit").get(pk=report.pk)
        if report.status != Report.Status.SUBMITTED:
            raise ValidationError(_("Hanya laporan yang diajukan Ketua Tim dapat ditandatangani."))
        try:
            p12, passphrase = signing_material(report.plan.unit)
            load_certificate(p12=p12, passphrase=passphrase)
        except SigningError as exc:    # no certificate at all, or an unusable one
            raise ValidationError(str(exc)) from exc
        report.sign_requested_by = user
        report.save(update_fields=["sign_requested_by"])
        _queue_render(report, "final")
        if reauthenticated:
            audit_record(actor=user, action="report.sign_reauth", unit_id=report.plan.unit_id, obj=report, ip=ip,
                         summary=_("Kata sandi dimasukkan ulang untuk menandatangani laporan v%(v)s")
                         % {"v": report.version}, data={"draft_sha256": report.draft_sha256})
        audit_record(actor=user, action="report.approve", unit_id=report.plan.unit_id, obj=report, ip=ip,
                     summary=_("Laporan v%(v)s disetujui; penandatanganan dimulai") % {"v": report.version},
                     data={"reauthenticated": reauthenticated})
    return report


def report_correct(*, report: Report, user, membership: Membership | None, ip: str | None = None) -> Report:
    """A new editable version replacing a signed report (the signed one stays as it is)."""
    _require(membership, EDIT_ROLES, _("Hanya Ketua Tim yang membuat versi perbaikan."))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.SIGNED or hasattr(report, "replaced_by"):
            raise ValidationError(_("Versi perbaikan dibuat dari laporan bertanda tangan yang terbaru."))
        new = Report(plan=report.plan, semester=report.semester, version=report.version + 1, replaces=report,
                     number=default_number(report.plan, report.semester, report.version + 1),
                     conclusions=report.conclusions, created_by=user)
        new.full_clean()
        new.save()
        Recommendation.objects.bulk_create([Recommendation(report=new, order=r.order, text=r.text)
                                            for r in report.recommendations.all()])
        FollowUp.objects.bulk_create([FollowUp(report=new, recommendation_id=f.recommendation_id, status=f.status,
                                               note=f.note) for f in report.followups.all()])
        audit_record(actor=user, action="report.correct", unit_id=report.plan.unit_id, obj=new, ip=ip,
                     summary=_("Versi %(v)s dibuat untuk mengganti versi %(o)s") % {"v": new.version,
                                                                                   "o": report.version})
    return new


def report_download_record(*, report: Report, user, kind: str, sha256: str, ip: str | None) -> None:
    ReportDownload.objects.create(report=report, user=user, kind=kind, sha256=sha256, ip=ip)


def verification_check(*, report: Report, uploaded) -> dict:
    """Compare an uploaded PDF with the signed report: the same bytes? an intact signature by a certificate that
    chains to a trust root of this installation? Bounded, because anyone may call it: the comparison is by
    SHA-256 first (the report's own signature check is cached); another file's signatures are examined only when
    it is at most twice the report's size plus 1 MB and holds at most MONEV_VERIFY_MAX_SIGNATURES signatures (and
    revisions to match), and then in a child process with a CPU budget (`verify_pdf_bounded`)."""
    from django.core.cache import cache

    from .signing import verify_pdf_bounded

    max_bytes = settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_("Berkas terlalu besar."))
    digest = hashlib.sha256(data).hexdigest()
    same = digest == report.signed_sha256
    answer = {"same": same, "sha256": digest, "examined": True, "signed": False, "intact": False,
              "trusted": False, "signer": "", "issuer": "", "problems": []}
    limit_signatures = settings.MONEV_VERIFY_MAX_SIGNATURES
    if not same:
        signatures, revisions = data.count(b"/ByteRange"), data.count(b"%%EOF")
        if len(data) > 2 * (report.signed_pdf.size or 0) + 1024 * 1024 or signatures > limit_signatures \
                or revisions > 2 * limit_signatures + 2:
            answer["examined"] = False
            answer["problems"] = [_("Berkas ini jauh berbeda dari laporan (ukurannya atau jumlah tanda tangan di "
                                    "dalamnya melebihi batas pemeriksaan), sehingga tanda tangannya tidak "
                                    "diperiksa.")]
            return answer
    key = f"monev:verify:{report.pk}:{digest}"
    result = cache.get(key) if same else None
    if result is None:
        slot = _verification_slot()
        if slot is False:
            answer["examined"] = False
            answer["problems"] = [_("Portal sedang memeriksa berkas lain. Tunggu sebentar lalu unggah kembali.")]
            return answer
        try:
            result = verify_pdf_bounded(data, trust_roots=trust_roots(),
                                        cpu_seconds=settings.MONEV_VERIFY_CPU_SECONDS)
        finally:
            if slot:
                cache.delete(slot)
        if result is None:
            answer["examined"] = False
            answer["problems"] = [_("Pemeriksaan tanda tangan dihentikan karena memakan waktu terlalu lama. Berkas "
                                    "ini tidak dapat dipastikan keasliannya.")]
            return answer
        if same:
            cache.set(key, result, 600)
    answer.update(signed=result.signed, intact=result.intact, trusted=result.trusted, signer=result.signer,
                  issuer=result.issuer, problems=list(result.problems))
    return answer


def _verification_slot() -> str | bool | None:
    """Claim one of MONEV_VERIFY_CONCURRENCY slots in the cache: its key, False when all are taken, None when the
    cache cannot count (then the check runs: the CPU budget still bounds it)."""
    from django.core.cache import cache

    timeout = settings.MONEV_VERIFY_CPU_SECONDS * 2 + 5  # a slot whose holder died frees itself
    for number in range(settings.MONEV_VERIFY_CONCURRENCY):
        key = f"monev:verify-slot:{number}"
        try:
            if cache.add(key, 1, timeout):
                if cache.get(key) is None:  # a cache that keeps nothing (dummy) cannot count
                    return None
                return key
        except (ValueError, OSError):
            return None
    return False


def trust_roots() -> list[bytes]:
    """The installation's trust roots for the public page (MONEV_SIGNING_TRUST_ROOTS), without any certificate
    named like the demo CA: a demo signature is never trusted there, and neither is a forged CA of that name."""
    from .signing import is_demo_ca

    return [data for data in (Path(p).read_bytes() for p in settings.MONEV_SIGNING_TRUST_ROOTS if Path(p).is_file())
            if not is_demo_ca(data)]
