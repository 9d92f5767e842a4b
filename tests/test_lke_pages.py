"""The LKE pages and workflow: who may answer what, the frozen snapshot, the TPI column, evidence links and
uploads, the audit trail with previous values, differences, warnings, suggestions and constant query counts."""
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan.models import AuditEvent, Membership, Unit
from evidence.services import revision_review
from lke import scoring, selectors, services
from lke.models import Answer, AnswerEvidence, Assessment, LkeDocument, QuestionLink, UnitStanding

from .factories import pdf_bytes, submit


@pytest.fixture
def assessment(plan, ketua):
    return services.assessment_start(unit=plan.unit, year=2019, user=ketua,
                                     membership=Membership.objects.get(user=ketua))


def m(user):
    return Membership.objects.get(user=user)


def save(assessment, user, code, column="unit", **kw):
    return services.answer_save(assessment=assessment, code=code, column=column, user=user, membership=m(user), **kw)


def page(client, user, assessment):
    client.force_login(user)
    return client.get(reverse("lke:assessment", kwargs={"unit_id": assessment.unit_id, "year": assessment.year}))


def test_assessment_is_tied_to_the_years_plan_and_remembers_its_version(assessment, plan):
    assert assessment.plan == plan and assessment.version.code == "permenpanrb-90-2021"


def test_a_unit_may_assess_itself_before_its_plan_is_in_the_portal(unit, ketua, client):
    found = services.assessment_start(unit=unit, year=2024, user=ketua, membership=m(ketua))
    assert found.plan is None
    response = page(client, ketua, found)
    assert response.status_code == 200 and "Belum ada rencana kerja tahun ini" in response.content.decode()


def test_anggota_proposes_only_for_the_areas_of_their_assigned_steps(assessment, assigned_target, anggota,
                                                                     anggota_other):
    answer = save(assessment, anggota, "A.I.1.i.a", choice="Ya")        # component I: area 1
    assert answer.state == Answer.State.PROPOSED
    with pytest.raises(PermissionDenied):
        save(assessment, anggota, "A.I.2.i.a", choice="A")              # area 2: not theirs
    with pytest.raises(PermissionDenied):
        save(assessment, anggota_other, "A.I.1.i.a", choice="Ya")       # no assigned step at all
    with pytest.raises(PermissionDenied):
        save(assessment, anggota, "B.I.b", choice="A")                  # hasil: Ketua Tim only


def test_ketua_sets_any_answer_and_kepala_and_tpi_may_not_touch_the_unit_column(assessment, ketua, kepala, tpi):
    assert save(assessment, ketua, "B.I.a", value="3,6").value == Decimal("3.60")
    for user in (kepala, tpi):
        with pytest.raises(PermissionDenied):
            save(assessment, user, "A.I.1.i.a", choice="Ya")
    with pytest.raises(PermissionDenied):
        save(assessment, ketua, "A.I.1.i.a", column="tpi", choice="Ya")


def test_a_wrong_choice_is_refused_in_indonesian(assessment, ketua):
    with pytest.raises(ValidationError, match="bukan pilihan pertanyaan Ya/Tidak"):
        save(assessment, ketua, "A.I.1.i.a", choice="B")
    with pytest.raises(ValidationError, match="antara 0 dan 4"):
        save(assessment, ketua, "B.I.a", value="4.5")
    with pytest.raises(ValidationError, match="bilangan bulat"):
        save(assessment, ketua, "A.II.5.iii.a", counts={"A.II.5.iii.a.1": "-3"})
    assert not Answer.objects.exists()


def test_every_change_is_audited_with_the_previous_value(assessment, ketua, client):
    save(assessment, ketua, "A.I.1.i.b", choice="B", note="sebagian")
    save(assessment, ketua, "A.I.1.i.b", choice="A", note="lengkap")
    event = AuditEvent.objects.filter(action="lke.answer.unit").order_by("-id").first()
    assert event.data["previous"]["choice"] == "B" and event.data["new"]["choice"] == "A"
    client.force_login(ketua)
    body = client.get(reverse("lke:question", kwargs={"assessment_id": assessment.pk, "code": "A.I.1.i.b"}))
    assert "sebelumnya" in body.content.decode()
    history = client.get(reverse("lke:history", args=[assessment.pk])).content.decode()
    assert "A.I.1.i.b (unit): A" in history


def test_submit_freezes_the_self_assessment_in_a_snapshot(assessment, ketua, anggota, assigned_target):
    save(assessment, ketua, "A.I.1.i.a", choice="Ya")
    services.assessment_submit(assessment=assessment, user=ketua, membership=m(ketua))
    assessment.refresh_from_db()
    snapshot = assessment.unit_snapshot
    assert assessment.unit_status == "submitted" and snapshot["answers"]["A.I.1.i.a"]["choice"] == "Ya"
    node = selectors.structure(assessment.version).nodes["A.I.1.i"]
    assert snapshot["total"] == str(scoring.r2(node.weight / len(node.questions)))
    assert snapshot["prediction"] == "-" and snapshot["provisional"]
    with pytest.raises(ValidationError, match="dibekukan"):
        save(assessment, ketua, "A.I.1.i.a", choice="Tidak")
    with pytest.raises(ValidationError):
        save(assessment, anggota, "A.I.1.i.b", choice="A")
    assert Assessment.objects.get().unit_snapshot == snapshot
    with pytest.raises(PermissionDenied):
        services.assessment_submit(assessment=assessment, user=anggota, membership=m(anggota))


def test_tpi_fills_and_finalises_its_own_column(assessment, tpi, ketua):
    save(assessment, tpi, "A.I.1.i.a", column="tpi", choice="Tidak")
    services.tpi_finalise(assessment=assessment, user=tpi, membership=m(tpi))
    assessment.refresh_from_db()
    assert assessment.tpi_status == "final" and assessment.tpi_snapshot["answers"]["A.I.1.i.a"]["choice"] == "Tidak"
    with pytest.raises(ValidationError, match="final"):
        save(assessment, tpi, "A.I.1.i.a", column="tpi", choice="Ya")
    with pytest.raises(PermissionDenied):
        services.tpi_finalise(assessment=assessment, user=ketua, membership=m(ketua))


def test_links_only_accepted_bukti_fisik_of_the_plan(assessment, assigned_target, anggota, ketua):
    revision = submit(assigned_target, anggota)
    with pytest.raises(ValidationError, match="sudah diterima"):
        services.evidence_link(assessment=assessment, code="A.I.1.i.a", column="unit", revision_id=revision.pk,
                               user=ketua, membership=m(ketua))
    revision_review(revision=revision, user=ketua, membership=m(ketua), decision="accept", note="")
    services.evidence_link(assessment=assessment, code="A.I.1.i.a", column="unit", revision_id=revision.pk,
                           user=ketua, membership=m(ketua))
    assert AnswerEvidence.objects.get().revision == revision
    rows = selectors.answers(assessment)["unit"]
    assert rows["A.I.1.i.a"].evidence_count == 1


def test_a_document_upload_is_checked_by_content_and_downloadable_only_inside_the_unit(assessment, ketua, outsider,
                                                                                       client):
    bad = SimpleUploadedFile("sk.pdf", b"MZ\x90\x00 program", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.document_upload(assessment=assessment, code="A.I.1.i.a", column="unit", file=bad, description="",
                                 user=ketua, membership=m(ketua))
    assert not LkeDocument.objects.exists()
    good = SimpleUploadedFile("sk-tim.pdf", pdf_bytes("SK Tim"), content_type="application/pdf")
    link = services.document_upload(assessment=assessment, code="A.I.1.i.a", column="unit", file=good,
                                    description="SK Tim ZI", user=ketua, membership=m(ketua))
    url = reverse("lke:document_download", args=[assessment.pk, link.document.pk])
    client.force_login(ketua)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_page_shows_both_columns_with_differences_and_the_failing_criteria(assessment, ketua, tpi, client):
    save(assessment, ketua, "A.I.1.i.b", choice="A")
    save(assessment, tpi, "A.I.1.i.b", column="tpi", choice="C")
    body = page(client, ketua, assessment).content.decode()
    row = body[body.index('id="q-A.I.1.i.b"') - 40:body.index('id="q-A.I.1.i.b"')]
    assert "lke-differs" in row
    node = selectors.structure(assessment.version).nodes["A.I.1.i"]
    total = scoring.r2(node.weight / len(node.questions))
    shown = f"{total:.2f}".replace(".", ",")
    short = f"{Decimal('75') - total:.2f}".replace(".", ",")
    assert f"Nilai total: {shown} &lt; 75,00 (kurang {short})" in body
    assert "Belum memenuhi" in body and "sementara" in body
    assert "<svg" in body and "Syarat pengusulan di luar LKE" in body


def test_warnings_and_suggestions_are_shown_but_never_applied(assessment, ketua, client):
    save(assessment, ketua, "B.I.b", choice="A")
    save(assessment, ketua, "A.II.4.i.a", counts={"A.II.4.i.a.1": 10, "A.II.4.i.a.2": 3})
    save(assessment, ketua, "A.II.5.iii.a", counts={"A.II.5.iii.a.1": 9, "A.II.5.iii.a.2": 1,
                                                     "A.II.5.iii.a.3": 2, "A.II.5.iii.a.5": 3})
    body = page(client, ketua, assessment).content.decode()
    assert "Dijawab A, padahal sasaran yang tercapai 100% (A.II.4.i.a) hanya 30.00%" in body
    assert "jumlah yang diketik 9 tidak sama dengan jumlah rinciannya 3" in body
    assert "<strong>A.I.1.ii.a</strong> → Ya" in body and "Rencana kerja ada di portal" in body
    assert not Answer.objects.filter(question__code="A.I.1.ii.a").exists()


def test_the_programme_registers_suggest_agents_and_lhkpn_counts_and_a_differing_count_is_a_warning(
        assessment, plan, ketua, client):
    import datetime

    from programme import services as programme_services
    from programme.models import StaffMember, TeamKind, TeamRole

    from .programme_factories import build_programme

    body = page(client, ketua, assessment).content.decode()
    assert "<strong>A.I.1.iv.b</strong> → C" in body and "Belum ada SK Agen Perubahan" in body
    staff = build_programme(plan.unit, plan, ketua)["staff"]
    programme_services.team_create(
        unit=plan.unit, kind=TeamKind.AGEN_PERUBAHAN, name="", year=2019, sk_number="800/7/2019",
        sk_date=datetime.date(2019, 1, 28), valid_from=None, valid_until=None,
        members=[programme_services.MemberInput(role=TeamRole.ANGGOTA, name=f"Agen {i}") for i in range(3)],
        actor=ketua, check_role=False)
    for person, filed in zip(staff[:2], (datetime.date(2019, 3, 1), None)):
        programme_services.asset_report_set(staff=person, year=2019, kind="lhkpn", must_file=True, filed_on=filed,
                                            actor=ketua, check_role=False)
    assert StaffMember.objects.filter(unit=plan.unit).count() == 4
    save(assessment, ketua, "A.II.5.iii.a", counts={"A.II.5.iii.a.1": 2, "A.II.5.iii.a.2": 1,
                                                     "A.II.5.iii.a.3": 1, "A.II.5.iii.a.5": 2})
    body = page(client, ketua, assessment).content.decode()
    assert "A.I.1.iv.b</strong> → C" not in body            # an SK exists: A or B is the Ketua Tim's call
    assert "<strong>A.II.1.i.a</strong> → A.II.1.i.a.1 = 3" in body
    assert "<strong>A.II.5.iii.a</strong> → A.II.5.iii.a.1 = 2, A.II.5.iii.a.5 = 1" in body
    assert "A.II.5.iii.a.5 dijawab 2, data portal menunjukkan 1" in body
    assert not Answer.objects.filter(question__code="A.II.1.i.a").exists()   # suggested, never applied


def test_discipline_counts_are_checked_against_last_years_assessment(unit, ketua, client, plan):
    last = services.assessment_start(unit=unit, year=2018, user=ketua, membership=m(ketua))
    save(last, ketua, "A.II.3.iii.a", counts={"A.II.3.iii.a.1": 4, "A.II.3.iii.a.2": 2})
    now = services.assessment_start(unit=unit, year=2019, user=ketua, membership=m(ketua))
    save(now, ketua, "A.II.3.iii.a", counts={"A.II.3.iii.a.1": 5, "A.II.3.iii.a.2": 1})
    assert "tidak sama dengan \"tahun ini\" pada LKE tahun lalu (2)" in page(client, ketua, now).content.decode() \
        .replace("&quot;", '"')


def test_wbbm_is_shown_only_when_the_unit_holds_menuju_wbk(assessment, ketua, client):
    struct = selectors.structure(assessment.version)
    for code, q in struct.questions.items():
        if q.answer_type in ("survey", "percent"):
            save(assessment, ketua, code, value="4" if q.answer_type == "survey" else "100")
        else:
            save(assessment, ketua, code, choice=q.choices[0][0])
    assert "Menuju WBK</span>" in page(client, ketua, assessment).content.decode()
    UnitStanding.objects.create(unit=assessment.unit, holds_wbk=True)
    AuditEvent.objects.create(unit=assessment.unit, action="test.standing")       # a new cache key
    assert "Menuju WBBM</span>" in page(client, ketua, assessment).content.decode()


def _fill(assessment, ketua, tpi, n):
    struct = selectors.structure(assessment.version)
    for code, q in list(struct.questions.items())[:n]:
        if q.answer_type in ("survey", "percent"):
            save(assessment, ketua, code, value="3" if q.answer_type == "survey" else "50")
            save(assessment, tpi, code, column="tpi", value="2" if q.answer_type == "survey" else "40")
        else:
            save(assessment, ketua, code, choice=q.choices[0][0])
            save(assessment, tpi, code, column="tpi", choice=q.choices[-1][0])


def test_assessment_page_needs_the_same_few_queries_whatever_the_number_answered(assessment, ketua, tpi, client):
    client.force_login(ketua)
    url = reverse("lke:assessment", kwargs={"unit_id": assessment.unit_id, "year": assessment.year})
    client.get(url)                                           # the LKE tree is read once per process
    counts = []
    for n in (1, 113):
        _fill(assessment, ketua, tpi, n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 12, counts


def test_units_table_lists_every_unit_with_scores_in_constant_queries(tpi, unit, client):
    from actionplan.services import person_ensure

    client.force_login(tpi)
    url = reverse("lke:units", args=[2024])
    client.get(url)
    counts = []
    for i in range(2):
        for j in range(3):
            other = Unit.objects.create(name=f"Unit Tabel {i}-{j}")
            person_ensure(username="tpi", full_name="Tpi", nip="", position="", unit=other, role="tpi",
                          password="x" * 12)
            services.assessment_start(unit=other, year=2024)
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).content.decode()
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert len(re.findall(r"<td>Unit Tabel", body)) == 6


def test_import_from_the_page_reports_rows_and_saves_nothing(assessment, ketua, client):
    from lke.management.commands.lke_export import export_bytes

    wb = openpyxl.load_workbook(io.BytesIO(export_bytes(assessment.unit, 2019)))
    ws = wb.worksheets[0]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(rows["A.I.1.i.a"], 6).value = "Ya"
    ws.cell(rows["A.I.1.i.b"], 6).value = "Z"
    buffer = io.BytesIO()
    wb.save(buffer)
    client.force_login(ketua)
    response = client.post(reverse("lke:import", args=[assessment.pk, "unit"]),
                           {"file": SimpleUploadedFile("lke.xlsx", buffer.getvalue())}, follow=True)
    text = response.content.decode()
    assert f"baris {rows['A.I.1.i.b']}, kolom F: Z bukan pilihan pertanyaan A/B/C" in text
    assert not Answer.objects.exists()


def test_plan_links_are_proposed_from_names_and_corrected_by_the_ketua(assessment, ketua, client):
    assert services.links_propose(assessment=assessment, user=ketua) > 0
    team = QuestionLink.objects.filter(question_code="A.I.1.i.a").select_related("indicator__subcomponent")
    assert team and {lk.indicator.subcomponent.name for lk in team} == {"Tim Kerja"}
    assert QuestionLink.objects.filter(question_code="A.I.1.ii.a",
                                       indicator__subcomponent__name="Dokumen Rencana Pembangunan ZI").exists()
    keep = team[0].indicator_id
    client.force_login(ketua)
    client.post(reverse("lke:links_set", args=[assessment.pk, "A.I.1.i.a"]), {"indicators": [keep]})
    assert list(QuestionLink.objects.filter(question_code="A.I.1.i.a").values_list("indicator_id", "source")) == [
        (keep, "manual")]
    body = client.get(reverse("lke:question", kwargs={"assessment_id": assessment.pk, "code": "A.I.1.i.a"}))
    assert "Langkah rencana kerja yang melayani" in body.content.decode()


def test_where_the_points_are_lists_gains_and_the_path_to_wbk(assessment, ketua, client):
    client.force_login(ketua)
    body = client.get(reverse("lke:points", args=[assessment.pk])).content.decode()
    assert 'id="lke-gains"' in body and "perbaikan:" in body
    assert "Tidak dapat dicapai dari jawaban saja" in body                 # WBBM: the unit does not hold WBK


def test_lke_pages_have_no_inline_script_or_style(assessment, ketua, client):
    from .test_production import _assert_csp_clean

    save(assessment, ketua, "A.I.1.i.a", choice="Ya")
    client.force_login(ketua)
    for url in [reverse("lke:assessment", kwargs={"unit_id": assessment.unit_id, "year": 2019}),
                reverse("lke:question", kwargs={"assessment_id": assessment.pk, "code": "A.II.5.iii.a"}),
                reverse("lke:question", kwargs={"assessment_id": assessment.pk, "code": "A.I.1.i.a"}),
                reverse("lke:points", args=[assessment.pk]), reverse("lke:history", args=[assessment.pk]),
                reverse("lke:units", args=[2019])]:
        _assert_csp_clean(client, url)


def test_an_improvement_becomes_an_action_step_of_the_plan_serving_its_question(assessment, ketua, anggota, client):
    import datetime

    from actionplan.models import ActionStep

    services.links_propose(assessment=assessment, user=ketua)
    client.force_login(ketua)
    response = client.post(reverse("lke:make_step", args=[assessment.pk, "A.I.1.i.b"]), {
        "description": "Menetapkan anggota tim dengan prosedur seleksi", "evidence_required": "SK dan notulen",
        "due_date": "2019-09-30"}, follow=True)
    assert "ditambahkan ke rencana kerja" in response.content.decode()
    step = ActionStep.objects.get(description="Menetapkan anggota tim dengan prosedur seleksi")
    assert step.indicator.subcomponent.name == "Tim Kerja"
    assert [t.due_date for t in step.targets.all()] == [datetime.date(2019, 9, 30)]
    assert AuditEvent.objects.filter(action="lke.make_step").exists()
    body = client.get(reverse("lke:question", kwargs={"assessment_id": assessment.pk, "code": "A.I.1.i.b"}))
    assert "Menetapkan anggota tim dengan prosedur seleksi" in body.content.decode()
    with pytest.raises(ValidationError, match="tahun 2019"):
        services.improvement_to_step(assessment=assessment, code="A.I.1.i.b", description="x", evidence_required="y",
                                     due_date=datetime.date(2020, 1, 31), user=ketua, membership=m(ketua))
    with pytest.raises(PermissionDenied):
        services.improvement_to_step(assessment=assessment, code="A.I.1.i.b", description="x", evidence_required="y",
                                     due_date=datetime.date(2019, 1, 31), user=anggota, membership=m(anggota))


def test_the_plan_page_shows_the_questions_each_indicator_serves(assessment, ketua, client):
    services.links_propose(assessment=assessment, user=ketua)
    client.force_login(ketua)
    body = client.get(reverse("actionplan:plan_detail", args=[assessment.plan_id])).content.decode()
    assert "LKE: A.I.1.i.a, A.I.1.i.b" in body


def test_the_dashboard_shows_the_lke_score_card(assessment, ketua, client):
    save(assessment, ketua, "A.I.1.i.a", choice="Ya")
    client.force_login(ketua)
    body = client.get(reverse("monev:dashboard", args=[assessment.plan_id])).content.decode()
    assert 'id="lke-card"' in body and "Buka LKE" in body


def test_the_monev_report_freezes_the_submitted_lke_in_its_snapshot(assessment, ketua):
    from monev import services as monev_services

    save(assessment, ketua, "A.I.1.i.a", choice="Ya")
    report = monev_services.report_start(plan=assessment.plan, semester=1, user=ketua, membership=m(ketua))
    monev_services.report_save(report=report, user=ketua, membership=m(ketua), number="1/2019", conclusions="x",
                               recommendations=[], followups={})
    monev_services.report_submit(report=report, user=ketua, membership=m(ketua))
    report.refresh_from_db()
    assert report.snapshot["lke"] is None                       # nothing submitted yet
    services.assessment_submit(assessment=assessment, user=ketua, membership=m(ketua))
    semester_2 = monev_services.report_start(plan=assessment.plan, semester=2, user=ketua, membership=m(ketua))
    monev_services.report_save(report=semester_2, user=ketua, membership=m(ketua), number="2/2019",
                               conclusions="x", recommendations=[], followups={})
    monev_services.report_submit(report=semester_2, user=ketua, membership=m(ketua))
    semester_2.refresh_from_db()
    lke = semester_2.snapshot["lke"]
    assert lke["unit"]["total"] == Assessment.objects.get().unit_snapshot["total"] and lke["tpi"] is None
    assert any(c["label"] == "Nilai total" for c in lke["unit"]["failed"])
    save_after = services.assessment_reopen(assessment=assessment, user=ketua, membership=m(ketua))
    save(save_after, ketua, "A.I.1.i.b", choice="A")
    semester_2.refresh_from_db()
    assert semester_2.snapshot["lke"] == lke                     # frozen with the report
    from monev.pdf import report_html
    html = report_html(snapshot=semester_2.snapshot, number="2/2019", issued_on=assessment.plan.created_at.date(),
                       conclusions="", recommendations=[], previous_followups=[], draft=True)
    assert "Lembar Kerja Evaluasi (LKE)" in html and "Nilai per area pengungkit" in html    # the page's chart
    import io as _io

    from pypdf import PdfReader

    from monev.pdf import render_report_pdf
    _name, pdf = render_report_pdf(snapshot=semester_2.snapshot, number="2/2019", conclusions="",
                                   issued_on=assessment.plan.created_at.date(), recommendations=[],
                                   previous_followups=[], draft=True)
    text = "".join(p.extract_text() for p in PdfReader(_io.BytesIO(pdf)).pages)
    assert "LEMBAR KERJA EVALUASI (LKE)" in text.upper() and "Penilaian mandiri (diajukan)" in text
