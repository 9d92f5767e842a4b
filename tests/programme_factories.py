"""Builders for the programme and public tests (real services, no mocks)."""
import datetime
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from actionplan.models import Membership
from monev import services as monev_services
from monev.models import Report
from programme import services
from programme.models import StaffMember, TeamKind, TeamRole

from .factories import pdf_bytes

STAFF_NIPS = ["196607101992031007", "196508191992031010", "198503122010012003", "198011052006041002"]


def staff_csv(extra: int = 0) -> bytes:
    """Four named staff (two leaders) plus `extra` generated ones with valid NIPs."""
    lines = ["NAMA,NIP,JABATAN,ESELON",
             f"Akhmad Taufik Hidayat,{STAFF_NIPS[0]},Kepala Dinas,II.b",
             f"Agus Warsito Utomo,{STAFF_NIPS[1]},Sekretaris,III.a",
             f"Siti Aminah,{STAFF_NIPS[2]},Staf,", f"Budi Santoso,{STAFF_NIPS[3]},Staf,"]
    for i in range(extra):
        lines.append(f"Pegawai {i},{extra_nip(i)},Staf,")
    return ("\n".join(lines) + "\n").encode()


def extra_nip(i: int) -> str:
    return f"19{70 + i % 30:02d}{1 + i % 12:02d}{1 + i % 28:02d}2000{1 + i % 12:02d}{1 + i % 2}{i % 1000:03d}"[:18]


def build_programme(unit, plan, ketua, *, extra_staff: int = 0) -> dict:
    """Staff (with Pakta for two), a Tim ZI SK with a signed file, three priority targets (two linked)."""
    membership = Membership.objects.get(user=ketua, unit=unit)
    services.staff_import(unit=unit, data=staff_csv(extra_staff), filename="pegawai.csv", actor=ketua,
                          check_role=False)
    staff = list(StaffMember.objects.filter(unit=unit).order_by("order"))
    pakta = services.pakta_record(staff=staff[0], year=plan.year, signed_on=datetime.date(plan.year, 1, 7),
                                  scan=ContentFile(pdf_bytes("Pakta"), name="pakta.pdf"), actor=ketua,
                                  check_role=False)
    services.pakta_bulk_record(unit=unit, year=plan.year, signed_on=datetime.date(plan.year, 1, 14),
                               event="Apel", staff_ids=[staff[2].pk], actor=ketua, check_role=False)
    team = services.team_create(
        unit=unit, kind=TeamKind.TIM_ZI, name="", year=plan.year, sk_number="188.45/012/427.53/2019",
        sk_date=datetime.date(plan.year, 2, 11), valid_from=None, valid_until=None,
        members=[services.MemberInput(role=TeamRole.KETUA, user=ketua),
                 services.MemberInput(role=TeamRole.KOORDINATOR, component="I", name="Sri Wahyuni",
                                      nip="197511042000032003", position="Kasubag Umum")],
        sk_file=ContentFile(pdf_bytes("SK"), name="sk-tim.pdf"), actor=ketua, check_role=False)
    priorities = services.priority_targets_set(plan=plan, titles=["Pembentukan Tim ZI", "Sosialisasi", "Keuangan"],
                                               actor=ketua, check_role=False)
    steps = list(plan.components.get(code="I").subcomponents.get(number=1).indicators.first().steps.all())
    services.priority_links_set(priority=priorities[0], steps=steps, actor=ketua, membership=membership)
    return {"staff": staff, "pakta": pakta, "team": team, "priorities": priorities}


def signed_report(plan, ketua, kepala, *, semester: int, code: str) -> Report:
    """A signed report without rendering it (WeasyPrint and pyHanko have their own tests)."""
    membership = ketua.memberships.get(unit=plan.unit)
    report = monev_services.report_start(plan=plan, semester=semester, user=ketua, membership=membership)
    monev_services.report_save(report=report, user=ketua, membership=membership, number=f"800/{semester}/2019",
                               conclusions="Capaian.", recommendations=[], followups={})
    content = pdf_bytes(f"Laporan {code}")
    name = Report._meta.get_field("signed_pdf").generate_filename(report, "laporan.pdf")
    stored = report.signed_pdf.storage.save(name, ContentFile(content))
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SIGNED, signed_pdf=stored,
                                               signed_sha256=hashlib.sha256(content).hexdigest(),
                                               verification_code=code, signed_by=kepala, signed_at=timezone.now())
    return Report.objects.get(pk=report.pk)
