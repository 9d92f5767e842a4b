"""Pencanangan ZI: teams by SK, priority targets, the staff register with Pakta Integritas and LHKPN/LHKASN,
the unsigned-Pakta reminders and the PRIORITAS column of the plan import."""
import datetime
import io
import uuid

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from actionplan.models import ActionStep, AuditEvent, Membership, Target
from evidence.services import revision_review
from programme import services
from programme.models import (
    AssetReport,
    PaktaBatch,
    PaktaIntegritas,
    PaktaNotice,
    PriorityLink,
    PriorityTarget,
    StaffMember,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)
from programme.reminders import pakta_reminders_sweep
from programme.selectors import priority_progress, register_figures, register_rows, unsigned_staff

from .factories import SEED_FILE, backdate_evidence, pdf_bytes, submit

M = services.MemberInput
STAFF_CSV = ("NAMA,NIP,JABATAN,ESELON\n"
             "Akhmad Taufik Hidayat,196607101992031007,Kepala Dinas,II.b\n"
             "Agus Warsito Utomo,196508191992031010,Sekretaris,III.a\n"
             "Siti Aminah,198503122010012003,Staf,\n"
             "Budi Santoso,19801105 200604 1 002,Staf,\n"
             "Tenaga Honorer,,Pendukung,\n")


def _pdf(name="sk.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("SK"), content_type="application/pdf")


def _team(unit, ketua, *, sk="800/1/2019", date=datetime.date(2019, 2, 11), members=None, **kw):
    members = members if members is not None else [M(role=TeamRole.KETUA, user=ketua),
                          M(role=TeamRole.KOORDINATOR, component="III", name="Sri Wahyuni",
                            nip="197511042000032003", position="Kasubag Umum")]
    membership = Membership.objects.get(user=ketua, unit=unit)
    return services.team_create(unit=unit, kind=kw.pop("kind", TeamKind.TIM_ZI), name=kw.pop("name", ""),
                                year=2019, sk_number=sk, sk_date=date, valid_from=None, valid_until=None,
                                members=members, actor=ketua, membership=membership, **kw)


def _import_staff(unit, ketua, text=STAFF_CSV, name="pegawai.csv"):
    return services.staff_import(unit=unit, data=text.encode(), filename=name, actor=ketua,
                                 membership=Membership.objects.get(user=ketua, unit=unit))


# -- teams --------------------------------------------------------------------------------------------------------

def test_a_new_sk_replaces_the_previous_one_which_stays_as_history(unit, ketua):
    first = _team(unit, ketua, sk_file=_pdf())
    second = _team(unit, ketua, sk="800/2/2019", date=datetime.date(2019, 7, 1))
    first.refresh_from_db()
    assert first.replaced_by == second and second.is_current and not first.is_current
    assert Team.objects.count() == 2 and TeamMember.objects.count() == 4
    assert first.file_name == "sk.pdf" and first.file_sha256
    member = first.members.get(role=TeamRole.KETUA)
    assert member.user == ketua and member.nip == "196508191992031010"  # from the profile
    event = AuditEvent.objects.filter(action="team.sk").order_by("-id").first()
    assert event.data["previous"] == {"id": first.pk, "sk_number": "800/1/2019"} and event.actor == ketua


def test_an_sk_team_of_another_kind_does_not_replace_the_tim_zi(unit, ketua):
    tim = _team(unit, ketua)
    _team(unit, ketua, kind=TeamKind.AGEN_PERUBAHAN, sk="800/3/2019")
    _team(unit, ketua, kind=TeamKind.OTHER, name="Tim PPID", sk="800/4/2019")
    tim.refresh_from_db()
    assert tim.is_current and Team.objects.filter(replaced_by__isnull=True).count() == 3


@pytest.mark.parametrize("members, message", [
    ([M(role=TeamRole.KOORDINATOR, name="Tanpa Area")], "area"),
    ([M(role=TeamRole.ANGGOTA, name="NIP Salah", nip="12345")], "18 angka"),
    ([], "minimal satu"),
])
def test_a_bad_sk_member_saves_nothing(unit, ketua, members, message):
    with pytest.raises(ValidationError) as exc:
        _team(unit, ketua, members=members)
    assert message in " ".join(exc.value.messages)
    assert not Team.objects.exists() and not AuditEvent.objects.filter(action="team.sk").exists()


def test_a_portal_user_of_another_unit_cannot_be_named_in_the_sk(unit, ketua, outsider):
    with pytest.raises(ValidationError, match="bukan anggota unit"):
        _team(unit, ketua, members=[M(role=TeamRole.ANGGOTA, user=outsider)])


def test_the_sk_file_is_checked_by_content_and_a_refused_file_leaves_nothing(unit, ketua, settings):
    html = SimpleUploadedFile("sk.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError):
        _team(unit, ketua, sk_file=html)
    assert not Team.objects.exists()
    media = settings.MEDIA_ROOT
    assert not (media / "program").exists() or not any((media / "program").rglob("*.*"))


def test_only_the_ketua_tim_records_an_sk(unit, ketua, kepala):
    with pytest.raises(PermissionDenied):
        services.team_create(unit=unit, kind=TeamKind.TIM_ZI, name="", year=2019, sk_number="1",
                             sk_date=datetime.date(2019, 1, 1), valid_from=None, valid_until=None,
                             members=[M(role=TeamRole.KETUA, name="X")], actor=kepala,
                             membership=Membership.objects.get(user=kepala))


def test_the_team_form_reads_one_member_per_line_and_links_portal_users_by_nip(login, unit, ketua, anggota):
    anggota.profile.nip = "198503122010012003"
    anggota.profile.save()
    response = login(ketua).post(reverse("programme:team_create", args=[unit.pk]), {
        "kind": "tim_zi", "name": "", "year": "2019", "sk_number": "188/12/2019", "sk_date": "2019-02-11",
        "members": "Ketua; Agus Warsito Utomo; 196508191992031010; Sekretaris Dinas\n"
                   "Koordinator III; Siti; 19850312 201001 2 003; Staf\nAnggota; Tanpa Akun;;",
        "sk_file": _pdf()})
    assert response.status_code == 302
    team = Team.objects.get()
    assert [(m.role, m.component, m.user) for m in team.members.all()] == [
        ("ketua", "", ketua), ("koordinator", "III", anggota), ("anggota", "", None)]
    assert login(ketua).get(reverse("programme:team_file", args=[team.pk])).status_code == 200


# -- priority targets ---------------------------------------------------------------------------------------------

def _priorities(plan, ketua):
    membership = Membership.objects.get(user=ketua)
    ps = services.priority_targets_set(plan=plan, titles=["Pembentukan Tim ZI", "Agen perubahan", "Keuangan"],
                                       actor=ketua, membership=membership)
    return ps, membership


def test_priority_progress_uses_the_dashboard_statuses_of_the_linked_steps(plan, ketua, anggota, assigned_target):
    (first, second, third), membership = _priorities(plan, ketua)
    other = ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).exclude(
        pk=assigned_target.step_id).first()
    services.priority_links_set(priority=first, steps=[assigned_target.step], actor=ketua, membership=membership)
    services.priority_links_set(priority=second, steps=[assigned_target.step, other], actor=ketua,
                                membership=membership)
    revision = submit(assigned_target, anggota)
    revision_review(revision=revision, user=ketua, membership=membership, decision="accept", note="")
    backdate_evidence(plan)  # accepted on 1 March 2019, the date the progress is shown for
    rows = {r["number"]: r for r in priority_progress(plan=plan, as_of=datetime.date(2019, 3, 1))}
    n_first = Target.objects.filter(step=assigned_target.step).count()
    n_second = n_first + Target.objects.filter(step=other).count()
    assert (rows[1]["progress"].total, rows[1]["progress"].done) == (n_first, 1)
    assert (rows[2]["progress"].total, rows[2]["progress"].done) == (n_second, 1)
    assert rows[2]["step_count"] == 2
    assert rows[3]["step_count"] == 0 and rows[3]["progress"].total == 0  # "not linked yet"


def test_priority_progress_takes_two_queries_whatever_the_number_of_links(plan, ketua, django_assert_num_queries):
    (first, second, _third), membership = _priorities(plan, ketua)
    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan))
    services.priority_links_set(priority=first, steps=steps[:2], actor=ketua, membership=membership)
    with django_assert_num_queries(2):
        priority_progress(plan=plan, as_of=datetime.date(2019, 6, 30))
    services.priority_links_set(priority=second, steps=steps, actor=ketua, membership=membership)
    with django_assert_num_queries(2):
        priority_progress(plan=plan, as_of=datetime.date(2019, 6, 30))


def test_priority_progress_from_the_dashboards_statuses_equals_the_one_decided_in_sql(
        plan, ketua, anggota, assigned_target, django_assert_num_queries):
    from monev.selectors import dashboard_data

    (first, second, third), membership = _priorities(plan, ketua)
    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).order_by("pk"))
    services.priority_links_set(priority=first, steps=[assigned_target.step, *steps[:5]], actor=ketua,
                                membership=membership)
    services.priority_links_set(priority=second, steps=steps[3:40], actor=ketua, membership=membership)
    revision_review(revision=submit(assigned_target, anggota), user=ketua, membership=membership,
                    decision="accept", note="")
    from actionplan.services import assignments_set

    assignments_set(step=steps[10], users=[anggota], actor=ketua)
    submit(Target.objects.filter(step=steps[10]).first(), anggota)  # one waiting for review
    for as_of, semester in ((datetime.date(2019, 6, 30), None), (datetime.date(2019, 12, 31), 2),
                            (datetime.date.today(), 1)):
        statuses = dashboard_data(plan=plan, as_of=as_of, semester=semester)["statuses_by_step"]
        with django_assert_num_queries(2):
            from_rows = priority_progress(plan=plan, as_of=as_of, semester=semester, statuses_by_step=statuses)
        in_sql = priority_progress(plan=plan, as_of=as_of, semester=semester)
        assert [(r["number"], r["step_count"], r["progress"].total, r["progress"].counts) for r in from_rows] == \
            [(r["number"], r["step_count"], r["progress"].total, r["progress"].counts) for r in in_sql]
        assert from_rows[0]["progress"].total > 0 and from_rows[2]["progress"].total == 0


def test_priority_links_must_come_from_the_same_plan(plan, ketua, other_unit):
    from actionplan.services import plan_import

    other_plan = plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=other_unit, year=2019).plan
    (first, *_), membership = _priorities(plan, ketua)
    foreign = ActionStep.objects.filter(indicator__subcomponent__component__plan=other_plan).first()
    with pytest.raises(ValidationError):
        services.priority_links_set(priority=first, steps=[foreign], actor=ketua, membership=membership)
    assert not PriorityLink.objects.exists()


def test_renumbering_priority_targets_keeps_links_of_kept_numbers(plan, ketua):
    (first, second, third), membership = _priorities(plan, ketua)
    step = ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).first()
    services.priority_links_set(priority=first, steps=[step], actor=ketua, membership=membership)
    services.priority_targets_set(plan=plan, titles=["Tim ZI (diperbarui)"], actor=ketua, membership=membership)
    assert list(PriorityTarget.objects.values_list("number", "title")) == [(1, "Tim ZI (diperbarui)")]
    assert PriorityLink.objects.get().step == step
    assert AuditEvent.objects.filter(action="priority.set").order_by("-id").first().data["previous"]["3"] == "Keuangan"


def _plan_file(priorities: dict[int, str]) -> bytes:
    """The seed plan file with a PRIORITAS column (values per data row index)."""
    wb = openpyxl.load_workbook(SEED_FILE)
    ws = wb.worksheets[0]
    header_row = next(r for r in range(1, 11) if any(str(c.value or "").strip().upper() == "LANGKAH AKSI"
                                                    for c in ws[r]))
    col = ws.max_column + 1
    ws.cell(header_row, col, "PRIORITAS")
    for row, value in priorities.items():
        ws.cell(row, col, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_prioritas_column_links_rows_to_priority_targets(unit):
    from actionplan.services import plan_import

    wb = openpyxl.load_workbook(SEED_FILE)
    rows = [r for r in range(1, wb.worksheets[0].max_row + 1) if wb.worksheets[0].cell(r, 4).value]
    data = _plan_file({rows[2]: "1, 13", rows[3]: "1"})
    plan = plan_import(source=io.BytesIO(data), filename="rencana.xlsx", unit=unit, year=2019).plan
    links = sorted(PriorityLink.objects.values_list("priority__number", "step__source_row"))
    assert links == sorted([(1, rows[2]), (13, rows[2]), (1, rows[3])])
    assert set(PriorityTarget.objects.filter(plan=plan).values_list("number", flat=True)) == {1, 13}


def test_a_bad_prioritas_value_refuses_the_whole_import(unit):
    from actionplan.models import Plan
    from actionplan.services import PlanImportError, plan_import

    wb = openpyxl.load_workbook(SEED_FILE)
    rows = [r for r in range(1, wb.worksheets[0].max_row + 1) if wb.worksheets[0].cell(r, 4).value]
    with pytest.raises(PlanImportError) as exc:
        plan_import(source=io.BytesIO(_plan_file({rows[3]: "satu"})), filename="r.xlsx", unit=unit, year=2019)
    assert f"Baris {rows[3]}, kolom PRIORITAS" in exc.value.report()
    assert not Plan.objects.exists() and not PriorityTarget.objects.exists()


# -- staff register -----------------------------------------------------------------------------------------------

def test_staff_import_reads_nama_nip_jabatan_and_validates_nips(unit, ketua):
    result = _import_staff(unit, ketua)
    assert (result.created, result.total, result.active) == (5, 5, 5)
    budi = StaffMember.objects.get(name="Budi Santoso")
    assert budi.nip == "198011052006041002"  # printed with spaces
    assert StaffMember.objects.get(nip="196508191992031010").user == ketua  # linked by the profile's NIP
    assert StaffMember.objects.get(name="Tenaga Honorer").nip == ""


def test_a_bad_row_refuses_the_whole_staff_list_with_a_row_report(unit, ketua):
    text = STAFF_CSV + "Salah Tanggal,196613401992031007,Staf,\nSiti Kembar,198503122010012003,Staf,\n"
    with pytest.raises(services.StaffImportError) as exc:
        _import_staff(unit, ketua, text)
    report = exc.value.report()
    assert "Baris 7, kolom NIP" in report and "Baris 8, kolom NIP" in report and "baris 4" in report
    assert not StaffMember.objects.exists()


def test_reimport_deactivates_leavers_never_deletes_them_and_reactivates_returners(unit, ketua):
    _import_staff(unit, ketua)
    shorter = "\n".join(line for line in STAFF_CSV.splitlines() if "Siti Aminah" not in line) + "\n"
    result = _import_staff(unit, ketua, shorter)
    assert (result.deactivated, result.total, result.active) == (1, 5, 4)
    siti = StaffMember.objects.get(name="Siti Aminah")
    assert not siti.is_active
    result = _import_staff(unit, ketua, STAFF_CSV.replace("Siti Aminah,198503122010012003,Staf",
                                                          "Siti Aminah S.Kom,198503122010012003,Analis"))
    siti.refresh_from_db()
    assert siti.is_active and siti.name == "Siti Aminah S.Kom" and result.reactivated == 1
    assert StaffMember.objects.count() == 5


def test_staff_import_reads_xlsx_too(unit, ketua):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Daftar pegawai 2019"])
    ws.append(["No", "Nama Pegawai", "NIP", "Jabatan", "Pangkat/Golongan"])
    ws.append([1, "Siti Aminah", "198503122010012003", "Staf", "Penata Muda (III/a)"])
    out = io.BytesIO()
    wb.save(out)
    result = services.staff_import(unit=unit, data=out.getvalue(), filename="pegawai.xlsx", actor=ketua,
                                   check_role=False)
    assert result.total == 1 and StaffMember.objects.get().golongan == "Penata Muda (III/a)"


def test_import_staff_command_ends_with_the_counts(unit, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("NAMA,NIP,JABATAN\nBudi Santoso,196607101992031007,Kepala Dinas\n")
    out = io.StringIO()
    call_command("import_staff", str(path), unit=unit.name, stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "staff=1 active=1"
    path.write_text("NAMA,NIP,JABATAN\nBudi,123,Kepala\n")
    with pytest.raises(CommandError, match="NIP"):
        call_command("import_staff", str(path), unit=unit.name, stdout=io.StringIO())


# -- Pakta Integritas and LHKPN -----------------------------------------------------------------------------------

def test_pakta_per_person_and_year_once_with_a_checked_scan(unit, ketua):
    _import_staff(unit, ketua)
    membership = Membership.objects.get(user=ketua)
    siti = StaffMember.objects.get(name="Siti Aminah")
    pakta = services.pakta_record(staff=siti, year=2019, signed_on=datetime.date(2019, 1, 7), scan=_pdf("pakta.pdf"),
                                  actor=ketua, membership=membership)
    assert pakta.file_name == "pakta.pdf"
    with pytest.raises(ValidationError, match="sudah tercatat"):
        services.pakta_record(staff=siti, year=2019, signed_on=datetime.date(2019, 1, 8), actor=ketua,
                              membership=membership)
    services.pakta_record(staff=siti, year=2020, signed_on=datetime.date(2020, 1, 8), actor=ketua,
                          membership=membership)
    assert PaktaIntegritas.objects.filter(staff=siti).count() == 2
    assert AuditEvent.objects.filter(action="pakta.sign").count() == 2


def test_a_mass_signing_records_everyone_with_one_scan_or_nobody(unit, ketua):
    _import_staff(unit, ketua)
    membership = Membership.objects.get(user=ketua)
    staff = list(StaffMember.objects.order_by("order"))
    batch = services.pakta_bulk_record(unit=unit, year=2019, signed_on=datetime.date(2019, 1, 14),
                                       event="Apel pencanangan", staff_ids=[s.pk for s in staff[2:4]],
                                       scan=_pdf("apel.pdf"), actor=ketua, membership=membership)
    assert batch.records.count() == 2 and batch.file_name == "apel.pdf"
    with pytest.raises(ValidationError, match="Sudah tercatat"):
        services.pakta_bulk_record(unit=unit, year=2019, signed_on=datetime.date(2019, 1, 15), event="Lagi",
                                   staff_ids=[s.pk for s in staff[:4]], actor=ketua, membership=membership)
    assert PaktaBatch.objects.count() == 1 and PaktaIntegritas.objects.count() == 2


def test_register_figures_share_signed_leaders_first_and_lhkpn(unit, ketua):
    _import_staff(unit, ketua)
    membership = Membership.objects.get(user=ketua)
    kepala = StaffMember.objects.get(eselon="II.b")
    services.pakta_record(staff=kepala, year=2019, signed_on=datetime.date(2019, 1, 7), actor=ketua,
                          membership=membership)
    services.pakta_record(staff=StaffMember.objects.get(name="Siti Aminah"), year=2019,
                          signed_on=datetime.date(2019, 1, 7), actor=ketua, membership=membership)
    services.asset_report_set(staff=kepala, year=2019, kind="lhkpn", must_file=True,
                              filed_on=datetime.date(2019, 3, 1), actor=ketua, membership=membership)
    report = services.asset_report_set(staff=StaffMember.objects.get(eselon="III.a"), year=2019, kind="lhkpn",
                                       must_file=True, filed_on=None, actor=ketua, membership=membership)
    f = register_figures(unit_id=unit.pk, year=2019)
    assert (f["total"], f["signed"], f["percent"]) == (5, 2, 40.0)
    assert (f["leaders"], f["leaders_signed"], f["leaders_percent"]) == (2, 1, 50.0)
    assert (f["must_file"], f["filed"], f["filed_percent"]) == (2, 1, 50.0)
    assert register_figures(unit_id=unit.pk, year=2020)["signed"] == 0
    rows = list(register_rows(unit_id=unit.pk, year=2019))
    assert [r.eselon for r in rows[:2]] == ["II.b", "III.a"] and rows[0].pakta_id is not None
    assert [s.name for s in unsigned_staff(unit_id=unit.pk, year=2019)][0] == "Agus Warsito Utomo"
    services.asset_report_set(staff=report.staff, year=2019, kind="lhkpn", must_file=True,
                              filed_on=datetime.date(2019, 3, 30), actor=ketua, membership=membership)
    event = AuditEvent.objects.filter(action="lhkpn.set").order_by("-id").first()
    assert event.data["previous"] == {"kind": "lhkpn", "must_file": True, "filed_on": None}
    assert AssetReport.objects.count() == 2


# -- reminders ----------------------------------------------------------------------------------------------------

def test_unsigned_pakta_reminders_go_once_per_month_exactly_once(plan, unit, ketua, anggota):
    anggota.email = "anggota@example.org"
    anggota.save()
    anggota.profile.nip = "198503122010012003"
    anggota.profile.save()
    _import_staff(unit, ketua)  # Siti Aminah gets the anggota's account by NIP
    first = pakta_reminders_sweep(today=datetime.date(2019, 3, 1), run_id=uuid.uuid4())
    kinds = sorted(PaktaNotice.objects.values_list("kind", "recipient__username", "unsigned_count"))
    assert kinds == [("ketua", "ketua", 5), ("person", "anggota", 1), ("person", "ketua", 1)]
    assert len(first) == 3
    assert pakta_reminders_sweep(today=datetime.date(2019, 3, 20), run_id=uuid.uuid4()) == []
    from django.test import Client

    client = Client()
    client.force_login(ketua)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "5 pegawai belum menandatangani pakta integritas 2019" in page
    services.pakta_record(staff=StaffMember.objects.get(name="Siti Aminah"), year=2019,
                          signed_on=datetime.date(2019, 3, 21), actor=ketua, check_role=False)
    april = pakta_reminders_sweep(today=datetime.date(2019, 4, 1), run_id=uuid.uuid4())
    assert sorted(PaktaNotice.objects.filter(pk__in=april).values_list("kind", "recipient__username")) == [
        ("ketua", "ketua"), ("person", "ketua")]


def test_the_daily_job_sends_each_pakta_email_once(plan, unit, ketua, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    from notifications.tasks import reminders_run

    ketua.email = "ketua@example.org"
    ketua.save()
    _import_staff(unit, ketua)
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_run(today=datetime.date(2019, 3, 1))
    assert len(result.pakta_ids) == 2
    pakta_mails = [m for m in mailoutbox if "X-Portal-ZI-Pakta-Notice" in m.extra_headers]
    assert len(pakta_mails) == 2 and all(m.to == ["ketua@example.org"] for m in pakta_mails)
    assert any("5 pegawai belum menandatangani" in m.subject for m in pakta_mails)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_run(today=datetime.date(2019, 3, 2))
    assert len([m for m in mailoutbox if "X-Portal-ZI-Pakta-Notice" in m.extra_headers]) == 2


def test_no_pakta_reminders_without_an_active_plan_for_the_year(unit, ketua):
    _import_staff(unit, ketua)
    assert pakta_reminders_sweep(today=datetime.date(2019, 3, 1), run_id=uuid.uuid4()) == []


# -- constant query counts ----------------------------------------------------------------------------------------

def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("extra", [0, 2000])
def test_register_team_and_public_pages_take_the_same_queries_for_4_and_2004_staff(
        client, plan, unit, ketua, extra):
    from public.services import public_page_set

    from .programme_factories import build_programme

    build_programme(unit, plan, ketua, extra_staff=extra)
    public_page_set(unit=unit, enabled=True, slug="lumajang", actor=ketua, check_role=False)
    counts = {}
    counts["public"] = _count(client, reverse("public:unit", args=["lumajang"]))
    counts["public_json"] = _count(client, reverse("public:unit_data", args=["lumajang", "json"]))
    counts["units"] = _count(client, reverse("public:units"))
    client.force_login(ketua)
    counts["register"] = _count(client, reverse("programme:register", args=[unit.pk]) + "?tahun=2019")
    counts["teams"] = _count(client, reverse("programme:teams", args=[unit.pk]))
    counts["priorities"] = _count(client, reverse("programme:priorities", args=[plan.pk]))
    # The same numbers whatever the staff size: pinned, so a query per person would fail both cases.
    assert counts == EXPECTED_QUERIES, counts


# Cold (DummyCache in tests); logged-in pages include session, user, membership and navigation lookups.
# the navigation bar is one statement (monev/actionplan context processor)
EXPECTED_QUERIES = {"public": 14, "public_json": 14, "units": 3, "register": 8, "teams": 7, "priorities": 7}


# -- the pages' forms ---------------------------------------------------------------------------------------------

def test_the_ketua_tim_keeps_the_register_through_its_pages(login, plan, unit, ketua):
    client = login(ketua)
    url = reverse("programme:staff_import", args=[unit.pk])
    bad = SimpleUploadedFile("p.csv", b"NAMA,NIP\nBudi,123\n")
    response = client.post(url, {"file": bad}, follow=True)
    assert "Baris 2, kolom NIP" in response.content.decode() and not StaffMember.objects.exists()
    client.post(url, {"file": SimpleUploadedFile("p.csv", STAFF_CSV.encode())})
    staff = list(StaffMember.objects.order_by("order"))
    assert client.post(reverse("programme:pakta_record", args=[staff[0].pk]),
                       {"year": "2019", "signed_on": "2019-01-07", "scan": _pdf()}).status_code == 302
    client.post(reverse("programme:pakta_bulk", args=[unit.pk]),
                {"year": "2019", "signed_on": "2019-01-14", "event": "Apel", "staff": [staff[2].pk, staff[3].pk]})
    client.post(reverse("programme:asset_report", args=[staff[0].pk]),
                {"year": "2019", "kind": "lhkpn", "must_file": "on", "filed_on": "2019-03-01"})
    f = register_figures(unit_id=unit.pk, year=2019)
    assert (f["signed"], f["total"], f["filed"]) == (3, 5, 1)
    page = client.get(reverse("programme:register", args=[unit.pk]) + "?tahun=2019").content.decode()
    assert "60,0%" in page and "Tenaga Honorer" in page and "19660710 199203 1 007" in page
    pakta = PaktaIntegritas.objects.get(staff=staff[0])
    assert client.get(reverse("programme:pakta_file", args=[pakta.pk])).status_code == 200
    batch_pakta = PaktaIntegritas.objects.get(staff=staff[2])
    assert client.get(reverse("programme:pakta_file", args=[batch_pakta.pk])).status_code == 404  # no scan


def test_the_ketua_tim_edits_and_links_priority_targets_through_the_pages(login, plan, ketua, anggota):
    client = login(ketua)
    client.post(reverse("programme:priorities_set", args=[plan.pk]), {"titles": "Tim ZI\n\nSosialisasi\n"})
    first = PriorityTarget.objects.get(number=1)
    step = ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).first()
    assert client.post(reverse("programme:priority_links", args=[first.pk]),
                       {"steps": [str(step.pk)]}).status_code == 302
    assert list(first.steps.all()) == [step]
    page = login(anggota).get(reverse("programme:priorities", args=[plan.pk])).content.decode()
    assert "Tim ZI" in page and "belum ditautkan ke langkah aksi" in page  # Sosialisasi has no step
    assert "Ubah daftar target prioritas" not in page  # Anggota reads only


def test_the_dashboard_and_the_report_snapshot_show_priority_targets_and_pakta_figures(login, plan, unit, ketua):
    from monev.selectors import report_snapshot

    from .programme_factories import build_programme

    build_programme(unit, plan, ketua)
    html = login(ketua).get(reverse("monev:dashboard", args=[plan.pk]) + "?per=2019-07-01").content.decode()
    assert 'id="dashboard-programme"' in html and "Pembentukan Tim ZI" in html
    assert 'data-figure="pakta-percent">50,0%' in html
    snapshot = report_snapshot(plan=plan, semester=1, as_of=datetime.date(2019, 6, 30))
    assert [p["title"] for p in snapshot["programme"]["priorities"]] == ["Pembentukan Tim ZI", "Sosialisasi",
                                                                          "Keuangan"]
    assert (snapshot["programme"]["register"]["signed"], snapshot["programme"]["register"]["total"]) == (2, 4)
    from monev.pdf import report_html

    page = report_html(snapshot=snapshot, number="1", issued_on=datetime.date(2019, 7, 1), conclusions="",
                       recommendations=[], previous_followups=[], draft=True)
    assert 'id="priority-table"' in page and "Pembentukan Tim ZI" in page
    assert "Pakta integritas ditandatangani 2 dari 4 pegawai aktif (50,0%)" in page


def test_seed_demo_seeds_the_programme_once(db, settings):
    from public.models import PublicPage

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    tim = Team.objects.get(kind=TeamKind.TIM_ZI)
    names = {m.role: m.name for m in tim.members.filter(role__in=[TeamRole.PENGARAH, TeamRole.KETUA])}
    assert names == {"pengarah": "Akhmad Taufik Hidayat, SH.M.Hum", "ketua": "Agus Warsito Utomo, SPd"}
    assert tim.members.filter(role=TeamRole.KOORDINATOR).count() == 6
    assert Team.objects.filter(kind=TeamKind.AGEN_PERUBAHAN).exists()
    assert PriorityTarget.objects.count() == 15
    assert PriorityTarget.objects.get(number=13).title == "Menetapkan Agen Perubahan"
    f = register_figures(unit_id=tim.unit_id, year=2019)
    assert 0 < f["signed"] < f["total"] and f["leaders_signed"] == f["leaders"]
    assert PublicPage.objects.get().enabled
    counts = (Team.objects.count(), PaktaIntegritas.objects.count(), PriorityLink.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Team.objects.count(), PaktaIntegritas.objects.count(), PriorityLink.objects.count()) == counts
