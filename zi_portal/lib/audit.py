"""The audit trail: one helper every service calls inside its transaction."""
from typing import Any

from django.conf import settings
from django.db import models


def client_ip(request) -> str | None:
    """The client's address, for the audit trail and the login lockout. Behind our proxy (BEHIND_PROXY, nginx
    sets X-Real-IP to the connecting address, overwriting whatever a client sent) that header; else REMOTE_ADDR.
    Without BEHIND_PROXY the header is ignored, so a client cannot choose the address it is recorded under."""
    if request is None:
        return None
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"].strip()
    return request.META.get("REMOTE_ADDR")


def audit_record(*, actor, action: str, unit=None, unit_id: int | None = None, obj: models.Model | None = None,
                 summary: str = "", data: dict[str, Any] | None = None, ip: str | None = None):
    """Append one AuditEvent (who, when, what, from where). Call it in the same transaction as the change."""
    from actionplan.models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit_id=unit.pk if unit is not None else unit_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        data=data or {},
        ip=ip,
    )


# The one table of audit action codes and their Indonesian names: the admin's list and filter and every page that
# shows the trail use `action_label`. A new `audit_record(action=...)` needs its entry here
# (tests/test_admin_labels.py checks every code written in the source).
ACTION_LABELS: dict[str, str] = {
    "evidence.bundle.request": "Berkas untuk TPI diminta",
    "evidence.bundle.build": "Berkas untuk TPI selesai disusun",
    "evidence.bundle.fail": "Berkas untuk TPI gagal disusun",
    "evidence.bundle.download": "Berkas untuk TPI diunduh",
    "membership.add": "Anggota ditambahkan ke unit",
    "membership.invite": "Anggota baru diundang",
    "membership.role": "Peran anggota diubah",
    "membership.remove": "Anggota dikeluarkan dari unit",
    "target.due_date_set": "Tanggal jatuh tempo target diubah",
    "target.due_date_confirm": "Tanggal jatuh tempo target dikonfirmasi",
    "notifications.preferences": "Pilihan e-mail notifikasi diubah",
    "account.password_reset": "Kata sandi diganti lewat tautan e-mail",
    "account.password_change": "Kata sandi diganti dari halaman profil",
    "account.email": "Alamat e-mail akun diubah",
    "account.profile": "Profil pengguna diubah",
    "evidence.comment": "Komentar pada target",
    "evidence.submit": "Bukti fisik diunggah",
    "evidence.withdraw": "Revisi bukti fisik ditarik",
    "evidence.review.accept": "Bukti fisik diterima",
    "evidence.review.revise": "Bukti fisik perlu perbaikan",
    "lhkpn.set": "Status LHKPN/LHKASN dicatat",
    "lke.answer.unit": "Jawaban LKE penilaian mandiri diubah",
    "lke.answer.tpi": "Jawaban LKE penilaian TPI diubah",
    "lke.document.upload": "Dokumen LKE diunggah",
    "lke.eligibility": "Syarat pengusulan dicatat",
    "lke.evidence.link": "Bukti dikaitkan ke jawaban LKE",
    "lke.evidence.unlink": "Bukti dilepas dari jawaban LKE",
    "lke.import": "Lembar kerja LKE diimpor",
    "lke.links.propose": "Kaitan indikator dengan LKE diusulkan",
    "lke.links.set": "Kaitan indikator dengan LKE ditetapkan",
    "lke.make_step": "Langkah aksi ditambahkan dari LKE",
    "lke.reopen": "Penilaian LKE dibuka kembali",
    "lke.start": "Penilaian LKE dimulai",
    "lke.submit": "Penilaian mandiri LKE diajukan",
    "lke.tpi_final": "Penilaian TPI difinalkan",
    "pakta.batch": "Penandatanganan massal pakta integritas dicatat",
    "pakta.sign": "Pakta integritas dicatat",
    "person.create": "Pengguna dibuat",
    "plan.import": "Rencana kerja diimpor",
    "plan.replace": "Rencana kerja diganti",
    "priority.import": "Target prioritas diimpor",
    "priority.links": "Langkah aksi target prioritas diubah",
    "priority.set": "Target prioritas diubah",
    "public.page": "Halaman publik diubah",
    "reminders.sweep": "Pengingat tenggat dijalankan",
    "report.approve": "Laporan disetujui",
    "report.correct": "Versi koreksi laporan dibuat",
    "report.create": "Laporan mulai disusun",
    "report.draft": "Draf PDF laporan diminta",
    "report.edit": "Isi laporan diubah",
    "report.return": "Laporan dikembalikan",
    "report.sign": "Laporan ditandatangani",
    "report.sign_reauth": "Kata sandi dimasukkan ulang untuk tanda tangan",
    "report.submit": "Laporan diajukan ke Kepala Dinas",
    "staff.import": "Daftar pegawai diimpor",
    "step.assign": "Penanggung jawab ditetapkan",
    "team.sk": "SK tim dicatat",
    "unit.create": "Unit kerja dibuat",
}


def action_label(code: str) -> str:
    """The Indonesian name of an audit action; an unknown code (e.g. from an older version) is shown as it is."""
    return ACTION_LABELS.get(code, code)
