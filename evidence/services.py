"""Writes of the evidence app. Each service checks the rule, saves in one transaction and writes the audit record.

Failures leave nothing behind: files are checked before anything is written, and files already put on storage
are removed again when the transaction does not commit.
"""
import datetime
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplan.audit import audit_record
from actionplan.locking import lock_plan_shared
from actionplan.models import Membership, Target
from zi_portal.lib.db import retry_once_on_deadlock
from zi_portal.lib.files import discard_stored

from . import signals
from .models import (
    COMMENT_ROLES,
    OPEN_FOR_UPLOAD,
    UPLOAD_ROLES,
    Comment,
    EvidenceBundle,
    EvidenceFile,
    ReviewDecision,
    Revision,
    RevisionStatus,
    allowed_transition,
)
from .validation import CheckedUpload, check_upload


def _unit_of(target: Target):
    return target.step.indicator.subcomponent.component.plan.unit


def can_upload(*, role: str | None, latest_status: str | None, assigned: bool) -> bool:
    """People responsible for the step (Anggota or Ketua Tim) may upload while the target is open."""
    return role in UPLOAD_ROLES and assigned and latest_status in OPEN_FOR_UPLOAD


def upload_check(*, target: Target, user, membership: Membership | None) -> None:
    """Raise PermissionDenied when the user may not upload for this target at all, ValidationError when the
    target is not open for a new revision right now (waiting for review, or already accepted)."""
    role = membership.role if membership else None
    if role not in UPLOAD_ROLES or not target.step.assignments.filter(user=user).exists():
        raise PermissionDenied(_("Anda bukan penanggung jawab langkah aksi ini."))
    latest = target.revisions.order_by("-number").values_list("status", flat=True).first()
    if latest == RevisionStatus.SUBMITTED:
        raise ValidationError(_("Revisi sebelumnya masih menunggu review; tunggu keputusan Ketua Tim."))
    if latest == RevisionStatus.ACCEPTED:
        raise ValidationError(_("Bukti fisik untuk target ini sudah diterima."))


def upload_too_large(names: Sequence[str]) -> ValidationError:
    """The refusal for files whose reading stopped at EVIDENCE_MAX_UPLOAD_MB (nothing of them was kept)."""
    from .validation import clean_filename, too_large

    max_bytes = settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024
    return ValidationError([too_large(clean_filename(name), None, max_bytes).messages[0] for name in names])


def evidence_submit(*, target: Target, user, membership: Membership | None, files: Sequence,
                    description: str, document_date: datetime.date, ip: str | None = None) -> Revision:
    """Create the next revision of `target` with its files. Raises ValidationError (Indonesian) or
    PermissionDenied; on any failure nothing is saved and no file is left on storage."""
    upload_check(target=target, user=user, membership=membership)
    if not files:
        raise ValidationError({"files": _("Pilih minimal satu berkas.")})
    max_bytes = settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024
    errors, checked = [], []
    for f in files:
        try:
            checked.append((f, check_upload(f, max_bytes=max_bytes)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return _submit_checked(target=target, user=user, checked=checked, description=description,
                           document_date=document_date, ip=ip)


_PLAN_REPLACED = _("Rencana kerja ini baru saja diganti oleh admin; target ini tidak ada lagi. Muat ulang halaman "
                   "dan pilih targetnya kembali.")


@retry_once_on_deadlock
def _submit_checked(*, target: Target, user, checked: list, description: str, document_date: datetime.date,
                    ip: str | None) -> Revision:
    """The write of `evidence_submit`, in one transaction that locks the plan row first (shared), so it and a plan
    replacement in the admin lock in one order; retried once should PostgreSQL still pick it as a deadlock
    victim. Files stored by a failed attempt are removed."""
    revision = Revision(target=target, submitted_by=user, description=description.strip(),
                        document_date=document_date)
    stored: list[str] = []
    try:
        with transaction.atomic():
            if not lock_plan_shared(target.step.indicator.subcomponent.component.plan_id) or \
                    not Target.objects.filter(pk=target.pk).exists():
                raise ValidationError(_PLAN_REPLACED)
            last = Revision.objects.select_for_update().filter(target=target).aggregate(n=Max("number"))["n"]
            revision.number = (last or 0) + 1
            revision.full_clean()
            revision.save()
            _mirror_status(revision)
            rows = []
            for f, info in checked:
                rows.append(_store_file(revision, f, info, stored))
            audit_record(actor=user, action="evidence.submit", unit=_unit_of(target), obj=target, ip=ip,
                         summary=_("Mengunggah revisi %(n)s (%(count)s berkas)") % {"n": revision.number,
                                                                                     "count": len(rows)},
                         data={"revision": revision.pk, "number": revision.number,
                               "document_date": document_date.isoformat(),
                               "files": [{"name": r.original_name, "sha256": r.sha256, "size": r.size}
                                         for r in rows]})
            transaction.on_commit(partial(signals.revision_uploaded.send, sender=Revision, revision_id=revision.pk,
                                          number=revision.number, target=target, uploader=user))
    except IntegrityError as exc:
        discard_stored(stored)
        if not Target.objects.filter(pk=target.pk).exists():
            raise ValidationError(_PLAN_REPLACED) from exc
        raise ValidationError(_("Unggahan bersamaan terdeteksi; muat ulang halaman dan coba lagi.")) from exc
    except BaseException:
        discard_stored(stored)
        raise
    return revision


def _mirror_status(revision: Revision) -> None:
    """The latest revision's status, copied onto its target for the progress pages (same transaction)."""
    Target.objects.filter(pk=revision.target_id).update(evidence_status=revision.status)


def _store_file(revision: Revision, uploaded, info: CheckedUpload, stored: list[str]) -> EvidenceFile:
    row = EvidenceFile(revision=revision, original_name=info.safe_name, kind=info.kind,
                       content_type=info.content_type, size=info.size, sha256=info.sha256)
    uploaded.seek(0)
    row.file.save(info.safe_name, uploaded, save=False)  # streams chunks (or moves a temporary file)
    stored.append(row.file.name)
    row.save()
    return row


def revision_review(*, revision: Revision, user, membership: Membership | None, decision: str, note: str,
                    ip: str | None = None) -> ReviewDecision:
    """Accept a submitted revision or send it back with a required note. Nobody reviews their own upload."""
    to = {ReviewDecision.Decision.ACCEPT: RevisionStatus.ACCEPTED,
          ReviewDecision.Decision.REVISE: RevisionStatus.REVISE}.get(decision)
    if to is None:
        raise ValidationError({"decision": _("Pilih keputusan: diterima atau perlu perbaikan.")})
    note = (note or "").strip()
    with transaction.atomic():
        revision = Revision.objects.select_for_update().select_related("target").get(pk=revision.pk)
        rule = allowed_transition(revision=revision, to=to, user=user, role=membership.role if membership else None)
        if rule is None:
            if revision.submitted_by_id == user.pk:
                raise PermissionDenied(_("Anda tidak dapat mereview unggahan Anda sendiri."))
            if revision.status != RevisionStatus.SUBMITTED:
                raise ValidationError(_("Revisi ini sudah tidak menunggu review (status: %(s)s).")
                                      % {"s": revision.get_status_display()})
            raise PermissionDenied(_("Hanya Ketua Tim yang dapat mereview bukti fisik."))
        if rule.note_required and not note:
            raise ValidationError({"note": _("Tuliskan catatan perbaikan untuk pengunggah.")})
        revision.status = to
        revision.status_changed_at = timezone.now()
        revision.save(update_fields=["status", "status_changed_at"])
        _mirror_status(revision)
        result = ReviewDecision(revision=revision, reviewer=user, decision=decision, note=note)
        result.full_clean()
        result.save()
        audit_record(actor=user, action=f"evidence.review.{decision}", unit=_unit_of(revision.target),
                     obj=revision.target, ip=ip,
                     summary=_("Revisi %(n)s: %(d)s") % {"n": revision.number, "d": result.get_decision_display()},
                     data={"revision": revision.pk, "number": revision.number, "decision": decision, "note": note})
        transaction.on_commit(partial(signals.revision_reviewed.send, sender=Revision, decision_id=result.pk,
                                      number=revision.number, target=revision.target,
                                      uploader_id=revision.submitted_by_id, reviewer=user,
                                      accepted=to == RevisionStatus.ACCEPTED, note=note))
    return result


def revision_withdraw(*, revision: Revision, user, membership: Membership | None, reason: str = "",
                      ip: str | None = None) -> Revision:
    """The submitter withdraws a revision still waiting for review. The revision and its files stay readable."""
    with transaction.atomic():
        revision = Revision.objects.select_for_update().select_related("target").get(pk=revision.pk)
        if allowed_transition(revision=revision, to=RevisionStatus.WITHDRAWN, user=user,
                              role=membership.role if membership else None) is None:
            raise PermissionDenied(_("Hanya pengunggah yang dapat menarik revisi yang masih menunggu review."))
        revision.status = RevisionStatus.WITHDRAWN
        revision.status_changed_at = timezone.now()
        revision.save(update_fields=["status", "status_changed_at"])
        _mirror_status(revision)
        audit_record(actor=user, action="evidence.withdraw", unit=_unit_of(revision.target), obj=revision.target,
                     ip=ip, summary=_("Menarik revisi %(n)s") % {"n": revision.number},
                     data={"revision": revision.pk, "number": revision.number, "reason": reason.strip()})
    return revision


def comment_add(*, target: Target, user, membership: Membership | None, body: str,
                ip: str | None = None) -> Comment:
    if membership is None or membership.role not in COMMENT_ROLES:
        raise PermissionDenied(_("Peran Anda hanya dapat membaca."))
    comment = Comment(target=target, author=user, body=(body or "").strip())
    with transaction.atomic():
        if not lock_plan_shared(target.step.indicator.subcomponent.component.plan_id):
            raise ValidationError(_PLAN_REPLACED)
        comment.full_clean()
        comment.save()
        audit_record(actor=user, action="evidence.comment", unit=_unit_of(target), obj=target, ip=ip,
                     summary=_("Komentar: %(b)s") % {"b": comment.body[:200]}, data={"comment": comment.pk})
    return comment


# -- Berkas untuk TPI ---------------------------------------------------------------------------------------------

def bundle_request(*, plan, component_code: str, user, membership: Membership | None,
                   ip: str | None = None, task=None) -> "EvidenceBundle":
    """Queue a bundle of the plan's accepted bukti fisik (of one component when `component_code` is given). The
    build runs in `task` (the view passes evidence.tasks.build_bundle; the caller hands it in because the task
    module imports this one) once the request is committed (at once in the default setup)."""
    from .models import BUNDLE_ROLES

    if membership is None or membership.role not in BUNDLE_ROLES:
        raise PermissionDenied(_("Berkas untuk TPI hanya untuk TPI, Ketua Tim dan Kepala Dinas unit ini."))
    if component_code and not plan.components.filter(code=component_code).exists():
        raise ValidationError({"component": _("Komponen itu tidak ada dalam rencana kerja ini.")})
    with transaction.atomic():
        bundle = EvidenceBundle(plan=plan, component_code=component_code or "", requested_by=user)
        bundle.full_clean(exclude=["file"])
        bundle.save()
        audit_record(actor=user, action="evidence.bundle.request", unit_id=plan.unit_id, obj=bundle, ip=ip,
                     summary=_("Meminta berkas untuk TPI (%(c)s)")
                     % {"c": _("komponen %s") % component_code if component_code else _("semua komponen")},
                     data={"bundle": bundle.pk, "component": component_code or ""})
        if task is not None:
            transaction.on_commit(lambda: task.delay(bundle.pk))
    return bundle


def bundle_build(*, bundle_id: int) -> bool:
    """Build one queued bundle: claim it (queued → building, so a second delivery does nothing), write the ZIP of
    the accepted revisions' files and their index, store it with its SHA-256. Returns whether it built. A failure
    is recorded on the bundle (status failed, the reason) and in the audit trail, never left as 'building'."""
    from django.core.files import File

    from .bundles import BundleIntegrityError, build_to_tempfile, entries_for
    from .selectors import bundle_files

    claimed = EvidenceBundle.objects.filter(pk=bundle_id, status=EvidenceBundle.Status.QUEUED).update(
        status=EvidenceBundle.Status.BUILDING, started_at=timezone.now())
    if not claimed:
        return False
    bundle = EvidenceBundle.objects.select_related("plan", "requested_by").get(pk=bundle_id)
    entries = entries_for(bundle_files(bundle.plan, bundle.component_code))
    try:
        tmp, digest, size = build_to_tempfile(entries)
    except (BundleIntegrityError, OSError) as exc:
        reason = (_("Isi berkas tidak cocok dengan SHA-256 saat diunggah: %(f)s") % {"f": exc}
                  if isinstance(exc, BundleIntegrityError) else _("Berkas tidak dapat dibaca dari penyimpanan."))
        with transaction.atomic():
            EvidenceBundle.objects.filter(pk=bundle.pk).update(status=EvidenceBundle.Status.FAILED,
                                                               finished_at=timezone.now(), error=reason[:500])
            audit_record(actor=None, action="evidence.bundle.fail", unit_id=bundle.plan.unit_id, obj=bundle,
                         summary=reason, data={"bundle": bundle.pk})
        return False
    with tmp:
        stored = bundle.file.storage.save(bundle.file.field.generate_filename(bundle, "berkas.zip"), File(tmp))
    try:
        with transaction.atomic():
            EvidenceBundle.objects.filter(pk=bundle.pk).update(
                status=EvidenceBundle.Status.READY, file=stored, sha256=digest, size=size,
                file_count=len(entries), finished_at=timezone.now(), error="")
            audit_record(actor=bundle.requested_by, action="evidence.bundle.build", unit_id=bundle.plan.unit_id,
                         obj=bundle, summary=_("Berkas untuk TPI tersusun: %(n)s berkas") % {"n": len(entries)},
                         data={"bundle": bundle.pk, "files": len(entries), "size": size, "sha256": digest})
    except Exception:
        discard_stored([stored])
        raise
    return True


def bundle_download_record(*, bundle, user, ip: str | None = None) -> None:
    """Every download of a bundle is a row (who, when, IP) and an audit record."""
    from .models import BundleDownload

    with transaction.atomic():
        BundleDownload.objects.create(bundle=bundle, user=user, ip=ip)
        audit_record(actor=user, action="evidence.bundle.download", unit_id=bundle.plan.unit_id, obj=bundle, ip=ip,
                     summary=_("Mengunduh berkas untuk TPI #%(n)s") % {"n": bundle.pk}, data={"bundle": bundle.pk})
