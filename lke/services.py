"""Writes of the LKE: assessments, answers of both columns, evidence links and documents, submission (frozen
snapshot of the self-assessment), finalisation of the TPI column, eligibility and the plan mapping.

Who may write what (`answer_check`): in the unit column an Anggota Tim *proposes* answers for the questions of the
areas whose plan component has an action step assigned to them, the Ketua Tim sets any answer; the TPI writes only
the TPI column. A submitted self-assessment or a final TPI column is frozen. Every write is audited with the
previous value.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from actionplan.audit import audit_record
from actionplan.models import Assignment, Membership, Role, Unit
from evidence.validation import check_upload
from zi_portal.lib.files import discard_stored

from . import scoring, selectors
from .models import (
    ELIGIBILITY_ITEMS,
    Answer,
    AnswerEvidence,
    Assessment,
    Column,
    Eligibility,
    EligibilityStatus,
    LkeDocument,
    LkeQuestion,
    QuestionLink,
)

MAX_COUNT = 10_000_000


def _role(membership: Membership | None) -> str | None:
    return membership.role if membership else None


def assessment_start(*, unit: Unit, year: int, user=None, membership: Membership | None = None,
                     ip: str | None = None) -> Assessment:
    """The unit's assessment for `year` on the newest LKE version, tied to that year's plan if there is one.
    Idempotent: an existing assessment is returned as it is."""
    if membership is not None and membership.role == Role.KEPALA:
        raise PermissionDenied(_("Kepala Dinas hanya membaca penilaian."))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Tahun harus antara 2000 dan 2100.")})
    with transaction.atomic():
        existing = Assessment.objects.select_related("version").filter(unit=unit, year=year).first()
        if existing is not None:
            return existing
        assessment = Assessment(unit=unit, year=year, version=selectors.current_version(),
                                plan=selectors.plan_for(unit, year))
        assessment.full_clean()
        assessment.save()
        audit_record(actor=user, action="lke.start", unit=unit, obj=assessment, ip=ip,
                     summary=_("Penilaian LKE %(y)s dimulai") % {"y": year}, data={"version": assessment.version.code})
    return assessment


def anggota_areas(*, assessment: Assessment, user) -> set[int]:
    """Area numbers (1–6) of the plan components where the user is responsible for an action step."""
    if assessment.plan_id is None:
        return set()
    orders = (Assignment.objects.filter(user=user, step__indicator__subcomponent__component__plan_id=assessment.plan_id)
              .values_list("step__indicator__subcomponent__component__code", flat=True).distinct())
    roman = ["I", "II", "III", "IV", "V", "VI"]
    return {roman.index(code) + 1 for code in orders if code in roman}


def question_area(struct: scoring.Structure, code: str) -> int | None:
    for parent in struct.ancestors(code):
        if struct.nodes[parent].area is not None:
            return struct.nodes[parent].area
    return None


def answer_check(*, assessment: Assessment, code: str, column: str, user, membership: Membership | None) -> str:
    """The state the user's answer would get ("proposed" or "set"); PermissionDenied / ValidationError otherwise."""
    role = _role(membership)
    if column == Column.TPI:
        if role != Role.TPI:
            raise PermissionDenied(_("Kolom TPI hanya diisi oleh Tim Penilai Internal."))
        if assessment.tpi_status == Assessment.TpiStatus.FINAL:
            raise ValidationError(_("Penilaian TPI sudah final dan tidak dapat diubah."))
        return Answer.State.SET
    if column != Column.UNIT:
        raise ValidationError(_("Kolom tidak dikenal."))
    if role not in (Role.ANGGOTA, Role.KETUA):
        raise PermissionDenied(_("Penilaian mandiri diisi oleh Anggota Tim (usulan) dan Ketua Tim."))
    if assessment.unit_status == Assessment.UnitStatus.SUBMITTED:
        raise ValidationError(_("Penilaian mandiri sudah diajukan dan dibekukan."))
    if role == Role.KETUA:
        return Answer.State.SET
    struct = selectors.structure(assessment.version)
    if question_area(struct, code) not in anggota_areas(assessment=assessment, user=user):
        raise PermissionDenied(_("Anda hanya dapat mengusulkan jawaban untuk area yang Anda tangani."))
    return Answer.State.PROPOSED


def _decimal(text, what: str) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(w)s harus berupa angka.") % {"w": what}) from None
    if not value.is_finite():
        raise ValidationError(_("%(w)s harus berupa angka.") % {"w": what})
    return value


def clean_answer(question: scoring.Question, *, choice: str = "", value=None, counts: dict | None = None):
    """(choice, value, counts) checked against the question's type; ValidationError (Indonesian) otherwise."""
    choice = (choice or "").strip()
    counts = {k: v for k, v in (counts or {}).items() if v not in (None, "")}
    if question.answer_type in scoring.CHOICE_TYPES:
        if choice and question.choice_value(choice) is None:
            raise ValidationError(_("%(c)s bukan pilihan pertanyaan %(t)s.")
                                  % {"c": choice[:20], "t": "/".join(k for k, _t, _v in question.choices)})
        return choice, None, {}
    if value not in (None, ""):
        value = _decimal(value, _("Nilai"))
        high = Decimal("4") if question.answer_type == "survey" else Decimal("100")
        if not Decimal("0") <= value <= high:
            raise ValidationError(_("Nilai harus antara 0 dan %(h)s.") % {"h": high})
        value = scoring.r2(value)
    else:
        value = None
    if question.answer_type == "survey":
        return "", value, {}
    allowed = {code for code, _t in question.counts}
    clean = {}
    for code, raw in counts.items():
        if code not in allowed:
            raise ValidationError(_("%(c)s bukan baris jumlah pertanyaan ini.") % {"c": str(code)[:40]})
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if not text.isdigit() or not text.isascii() or int(text) > MAX_COUNT:
            raise ValidationError(_("%(c)s: jumlah harus bilangan bulat 0 atau lebih.") % {"c": code})
        clean[code] = int(text)
    return "", value, clean


def _bump(assessment: Assessment) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(revision=F("revision") + 1)


def answer_save(*, assessment: Assessment, code: str, column: str, user, membership: Membership | None,
                choice: str = "", value=None, counts: dict | None = None, note: str = "",
                ip: str | None = None) -> Answer:
    """Set one answer of one column (an Anggota's is a proposal), audited with the previous value."""
    struct = selectors.structure(assessment.version)
    question = struct.questions.get(code)
    if question is None:
        raise ValidationError(_("Pertanyaan %(c)s tidak ada di LKE ini.") % {"c": code[:40]})
    state = answer_check(assessment=assessment, code=code, column=column, user=user, membership=membership)
    choice, value, counts = clean_answer(question, choice=choice, value=value, counts=counts)
    return _write(assessment=assessment, question=question, column=column, user=user, state=state, choice=choice,
                  value=value, counts=counts, note=(note or "").strip(), ip=ip)


def _write(*, assessment, question, column, user, state, choice, value, counts, note, ip) -> Answer:
    with transaction.atomic():
        answer = Answer.objects.select_for_update().filter(assessment=assessment, question_id=question.pk,
                                                           column=column).first()
        previous = answer.as_dict() if answer else None
        previous_state = answer.state if answer else None
        if answer is None:
            answer = Answer(assessment=assessment, question_id=question.pk, column=column)
        answer.choice, answer.value, answer.counts, answer.note = choice, value, counts, note
        answer.state = state
        answer.updated_by = user if getattr(user, "is_authenticated", False) else None
        if previous == answer.as_dict() and answer.pk and previous_state == state:
            return answer           # nothing changed (a Ketua Tim confirming a proposal does change its state)
        answer.full_clean()
        answer.save()
        _bump(assessment)
        audit_record(actor=user, action=f"lke.answer.{column}", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("%(c)s (%(col)s): %(v)s") % {"c": question.code, "col": column,
                                                           "v": _describe(answer.as_dict())},
                     data={"question": question.code, "column": column, "state": state, "previous": previous,
                           "new": answer.as_dict()})
    return answer


def _describe(d: dict) -> str:
    if d["choice"]:
        return d["choice"]
    if d["counts"]:
        return ", ".join(f"{k}={v}" for k, v in d["counts"].items())
    return d["value"] or "-"


def _answer_for_link(*, assessment, code, column, user, membership) -> Answer:
    struct = selectors.structure(assessment.version)
    question = struct.questions.get(code)
    if question is None:
        raise ValidationError(_("Pertanyaan %(c)s tidak ada di LKE ini.") % {"c": code[:40]})
    state = answer_check(assessment=assessment, code=code, column=column, user=user, membership=membership)
    answer, _created = Answer.objects.get_or_create(assessment=assessment, question_id=question.pk, column=column,
                                                    defaults={"state": state, "updated_by": user})
    return answer


def evidence_link(*, assessment: Assessment, code: str, column: str, revision_id, user,
                  membership: Membership | None, ip: str | None = None) -> AnswerEvidence:
    """Link an accepted bukti fisik revision of the assessment's plan to an answer."""
    from evidence.models import Revision, RevisionStatus

    if code not in selectors.structure(assessment.version).questions:
        raise ValidationError(_("Pertanyaan %(c)s tidak ada di LKE ini.") % {"c": code[:40]})
    answer_check(assessment=assessment, code=code, column=column, user=user, membership=membership)
    revision = Revision.objects.filter(pk=revision_id, status=RevisionStatus.ACCEPTED,
                                       target__step__indicator__subcomponent__component__plan_id=assessment.plan_id
                                       ).first() if assessment.plan_id and str(revision_id).isdigit() else None
    if revision is None:
        raise ValidationError(_("Pilih bukti fisik rencana kerja ini yang sudah diterima."))
    with transaction.atomic():
        answer = _answer_for_link(assessment=assessment, code=code, column=column, user=user, membership=membership)
        link, created = AnswerEvidence.objects.get_or_create(answer=answer, revision=revision,
                                                             defaults={"linked_by": user})
        if created:
            _bump(assessment)
            audit_record(actor=user, action="lke.evidence.link", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                         summary=_("%(c)s: bukti fisik revisi %(n)s ditautkan") % {"c": code, "n": revision.number},
                         data={"question": code, "column": column, "revision": revision.pk})
    return link


def document_upload(*, assessment: Assessment, code: str, column: str, file, description: str, user,
                    membership: Membership | None, ip: str | None = None) -> AnswerEvidence:
    """Upload a document for a question (checked by content as every bukti fisik) and link it to the answer."""
    struct = selectors.structure(assessment.version)
    if code not in struct.questions:
        raise ValidationError(_("Pertanyaan %(c)s tidak ada di LKE ini.") % {"c": code[:40]})
    answer_check(assessment=assessment, code=code, column=column, user=user, membership=membership)
    info = check_upload(file, max_bytes=settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024)
    stored = []
    try:
        with transaction.atomic():
            answer = _answer_for_link(assessment=assessment, code=code, column=column, user=user,
                                      membership=membership)
            doc = LkeDocument(assessment=assessment, question_id=struct.questions[code].pk,
                              original_name=info.safe_name, description=(description or "").strip()[:500],
                              kind=info.kind, content_type=info.content_type, size=info.size, sha256=info.sha256,
                              uploaded_by=user)
            file.seek(0)
            doc.file.save(info.safe_name, file, save=False)
            stored.append(doc.file.name)
            doc.full_clean()
            doc.save()
            link = AnswerEvidence.objects.create(answer=answer, document=doc, linked_by=user)
            _bump(assessment)
            audit_record(actor=user, action="lke.document.upload", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                         summary=_("%(c)s: dokumen %(n)s diunggah") % {"c": code, "n": doc.original_name},
                         data={"question": code, "column": column, "document": doc.pk, "sha256": doc.sha256,
                               "size": doc.size})
    except BaseException:
        discard_stored(stored)
        raise
    return link


def evidence_unlink(*, link_id, assessment: Assessment, user, membership: Membership | None,
                    ip: str | None = None) -> None:
    link = (AnswerEvidence.objects.select_related("answer__question").filter(pk=link_id, answer__assessment=assessment)
            .first() if str(link_id).isdigit() else None)
    if link is None:
        raise ValidationError(_("Tautan bukti tidak ditemukan."))
    code = link.answer.question.code
    answer_check(assessment=assessment, code=code, column=link.answer.column, user=user, membership=membership)
    with transaction.atomic():
        data = {"question": code, "column": link.answer.column, "revision": link.revision_id,
                "document": link.document_id}
        link.delete()
        _bump(assessment)
        audit_record(actor=user, action="lke.evidence.unlink", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("%(c)s: tautan bukti dilepas") % {"c": code}, data=data)


def _snapshot(assessment: Assessment, column: str) -> dict:
    struct = selectors.structure(assessment.version)
    rows = selectors.answers(assessment)[column]
    result = selectors.column_score(struct, rows, selectors.holds_for(assessment.unit_id))
    return {**selectors.score_summary(result, struct), "frozen_at": timezone.now().isoformat(),
            "answers": {code: {"choice": r.choice, "value": None if r.value is None else str(r.value),
                               "counts": r.counts, "note": r.note, "evidence": r.evidence_count}
                        for code, r in rows.items()}}


def assessment_submit(*, assessment: Assessment, user, membership: Membership | None,
                      ip: str | None = None) -> Assessment:
    """The Ketua Tim submits the self-assessment: its answers and figures are frozen into a snapshot."""
    if _role(membership) != Role.KETUA:
        raise PermissionDenied(_("Hanya Ketua Tim yang mengajukan penilaian mandiri."))
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("version").get(pk=assessment.pk)
        if assessment.unit_status == Assessment.UnitStatus.SUBMITTED:
            raise ValidationError(_("Penilaian mandiri sudah diajukan."))
        assessment.unit_snapshot = _snapshot(assessment, Column.UNIT)
        assessment.unit_status = Assessment.UnitStatus.SUBMITTED
        assessment.unit_submitted_at = timezone.now()
        assessment.unit_submitted_by = user
        assessment.revision += 1
        assessment.save()
        audit_record(actor=user, action="lke.submit", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("Penilaian mandiri diajukan: nilai %(t)s") % {"t": assessment.unit_snapshot["total"]},
                     data={"total": assessment.unit_snapshot["total"],
                           "prediction": assessment.unit_snapshot["prediction"]})
    return assessment


def assessment_reopen(*, assessment: Assessment, user, membership: Membership | None,
                      ip: str | None = None) -> Assessment:
    """The Ketua Tim reopens a submitted self-assessment (the earlier snapshot stays in the audit trail)."""
    if _role(membership) != Role.KETUA:
        raise PermissionDenied(_("Hanya Ketua Tim yang membuka kembali penilaian mandiri."))
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.unit_status != Assessment.UnitStatus.SUBMITTED:
            raise ValidationError(_("Penilaian mandiri belum diajukan."))
        previous = assessment.unit_snapshot
        assessment.unit_status = Assessment.UnitStatus.DRAFT
        assessment.revision += 1
        assessment.save(update_fields=["unit_status", "revision"])
        audit_record(actor=user, action="lke.reopen", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("Penilaian mandiri dibuka kembali"), data={"previous_snapshot": previous})
    return assessment


def tpi_finalise(*, assessment: Assessment, user, membership: Membership | None,
                 ip: str | None = None) -> Assessment:
    if _role(membership) != Role.TPI:
        raise PermissionDenied(_("Hanya TPI yang memfinalkan penilaian TPI."))
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("version").get(pk=assessment.pk)
        if assessment.tpi_status == Assessment.TpiStatus.FINAL:
            raise ValidationError(_("Penilaian TPI sudah final."))
        assessment.tpi_snapshot = _snapshot(assessment, Column.TPI)
        assessment.tpi_status = Assessment.TpiStatus.FINAL
        assessment.tpi_finalised_at = timezone.now()
        assessment.tpi_finalised_by = user
        assessment.revision += 1
        assessment.save()
        audit_record(actor=user, action="lke.tpi_final", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("Penilaian TPI final: nilai %(t)s") % {"t": assessment.tpi_snapshot["total"]},
                     data={"total": assessment.tpi_snapshot["total"],
                           "prediction": assessment.tpi_snapshot["prediction"]})
    return assessment


def eligibility_set(*, assessment: Assessment, values: dict, user, membership: Membership | None,
                    ip: str | None = None) -> None:
    """Record the Tabel 5 requirements (item → (status, note)); Ketua Tim or TPI."""
    if _role(membership) not in (Role.KETUA, Role.TPI):
        raise PermissionDenied(_("Syarat pengusulan dicatat oleh Ketua Tim atau TPI."))
    items = dict(ELIGIBILITY_ITEMS)
    with transaction.atomic():
        changes = {}
        for item, (status, note) in values.items():
            if item not in items or status not in EligibilityStatus.values:
                raise ValidationError(_("Syarat atau status tidak dikenal."))
            row, _c = Eligibility.objects.get_or_create(assessment=assessment, item=item)
            before = (row.status, row.note)
            row.status, row.note = status, (note or "").strip()
            row.full_clean()
            if before != (row.status, row.note):
                row.save()
                changes[item] = {"previous": list(before), "new": [row.status, row.note]}
        if changes:
            _bump(assessment)
            audit_record(actor=user, action="lke.eligibility", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                         summary=_("Syarat pengusulan diperbarui (%(n)s)") % {"n": len(changes)}, data=changes)


def links_propose(*, assessment: Assessment, user=None) -> int:
    """Propose plan ↔ LKE links from names: a plan sub-component whose name shares its main words with an LKE
    sub-area's title (in the same area) serves that sub-area's questions. Manual links are kept. Returns the
    number of new links."""
    if assessment.plan_id is None:
        return 0
    from actionplan.models import Indicator

    struct = selectors.structure(assessment.version)
    roman = ["I", "II", "III", "IV", "V", "VI"]
    subareas = [n for n in struct.nodes.values() if n.kind == "subarea"]
    existing = set(QuestionLink.objects.filter(indicator__subcomponent__component__plan_id=assessment.plan_id)
                   .values_list("indicator_id", "question_code"))
    new = []
    for indicator in Indicator.objects.filter(subcomponent__component__plan_id=assessment.plan_id).select_related(
            "subcomponent__component"):
        component = indicator.subcomponent.component
        area = roman.index(component.code) + 1 if component.code in roman else None
        words = _words(indicator.subcomponent.name)
        for node in subareas:
            if node.area != area or not words:
                continue
            title = _words(node.title)
            if title and len(words & title) >= min(2, len(words), len(title)):
                for code in node.questions:
                    if (indicator.pk, code) not in existing:
                        existing.add((indicator.pk, code))
                        new.append(QuestionLink(indicator=indicator, question_code=code))
    QuestionLink.objects.bulk_create(new)
    if new:
        audit_record(actor=user, action="lke.links.propose", unit_id=assessment.unit_id, obj=assessment,
                     summary=_("%(n)s tautan rencana ↔ LKE diusulkan") % {"n": len(new)})
    return len(new)


_STOP = {"dan", "yang", "di", "ke", "dari", "untuk", "dalam", "pada", "atau", "zi", "zona", "integritas", "serta",
         "the", "penyusunan", "pembangunan", "peningkatan", "penguatan", "penerapan", "pelaksanaan"}


def _words(text: str) -> set[str]:
    import re
    return {w for w in re.findall(r"[a-z]+", (text or "").lower()) if len(w) > 2 and w not in _STOP}


def links_set(*, assessment: Assessment, code: str, indicator_ids, user, membership: Membership | None,
              ip: str | None = None) -> None:
    """The Ketua Tim decides which indicators of the plan serve a question (replacing the proposed links)."""
    from actionplan.models import Indicator

    if _role(membership) != Role.KETUA:
        raise PermissionDenied(_("Pemetaan rencana ↔ LKE diatur oleh Ketua Tim."))
    if code not in selectors.structure(assessment.version).questions or assessment.plan_id is None:
        raise ValidationError(_("Pertanyaan atau rencana kerja tidak ditemukan."))
    wanted = set(Indicator.objects.filter(subcomponent__component__plan_id=assessment.plan_id,
                                          pk__in=[int(i) for i in indicator_ids]).values_list("pk", flat=True))
    if len(wanted) != len(set(indicator_ids)):
        raise ValidationError(_("Indikator tidak ada di rencana kerja ini."))
    with transaction.atomic():
        links = QuestionLink.objects.filter(indicator__subcomponent__component__plan_id=assessment.plan_id,
                                            question_code=code)
        before = set(links.values_list("indicator_id", flat=True))
        links.exclude(indicator_id__in=wanted).delete()
        QuestionLink.objects.bulk_create([QuestionLink(indicator_id=i, question_code=code,
                                                       source=QuestionLink.Source.MANUAL) for i in wanted - before])
        QuestionLink.objects.filter(indicator_id__in=wanted, question_code=code).update(
            source=QuestionLink.Source.MANUAL)
        audit_record(actor=user, action="lke.links.set", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("%(c)s: pemetaan rencana ditetapkan (%(n)s indikator)") % {"c": code, "n": len(wanted)},
                     data={"question": code, "previous": sorted(before), "new": sorted(wanted)})


def question_of(assessment: Assessment, code: str) -> LkeQuestion:
    return LkeQuestion.objects.get(version=assessment.version, code=code)


class LkeImportError(Exception):
    """The worksheet cannot be imported; `issues` says where (row, column, what) in Indonesian."""

    def __init__(self, issues):
        self.issues = issues
        super().__init__("; ".join(str(i) for i in issues[:5]))


def assessment_import(*, assessment: Assessment, column: str, content: bytes, user=None,
                      membership: Membership | None = None, ip: str | None = None) -> int:
    """Set one column of the assessment from a worksheet: all rows or none. The sheet is the column's truth (an
    empty answer cell clears the answer). From the page the Ketua Tim imports the unit column and the TPI the TPI
    column; the command (no membership) may import either. Returns the number of answers changed."""
    from . import worksheet

    if column not in Column.values:
        raise ValidationError(_("Kolom tidak dikenal."))
    if membership is not None:
        wanted = Role.KETUA if column == Column.UNIT else Role.TPI
        if membership.role != wanted:
            raise PermissionDenied(_("Impor kolom ini bukan untuk peran Anda."))
    if column == Column.UNIT and assessment.unit_status == Assessment.UnitStatus.SUBMITTED:
        raise ValidationError(_("Penilaian mandiri sudah diajukan dan dibekukan."))
    if column == Column.TPI and assessment.tpi_status == Assessment.TpiStatus.FINAL:
        raise ValidationError(_("Penilaian TPI sudah final dan tidak dapat diubah."))
    struct = selectors.structure(assessment.version)
    parsed, issues = worksheet.parse(content, struct=struct, column=column)
    cleaned = {}
    if not issues:
        if not parsed:
            issues.append(worksheet.SheetIssue(None, "", _("Tidak ada baris pertanyaan LKE di lembar kerja.")))
        for code, p in parsed.items():
            try:
                cleaned[code] = clean_answer(struct.questions[code], choice=p.choice, value=p.value, counts=p.counts)
            except ValidationError as exc:
                issues.append(worksheet.SheetIssue(None, "", f"{code}: {' '.join(exc.messages)}"))
    if issues:
        raise LkeImportError(issues)
    changed = 0
    before = selectors.answers(assessment)[column]
    with transaction.atomic():
        for code, question in struct.questions.items():
            choice, value, counts = cleaned.get(code, ("", None, {}))
            note = parsed[code].note if code in parsed else ""
            old = before.get(code)
            if old is None and not (choice or value is not None or counts or note):
                continue
            if old is not None and (old.choice, old.value, old.counts, old.note) == (choice, value, counts, note):
                continue
            _write(assessment=assessment, question=question, column=column, user=user, state=Answer.State.SET,
                   choice=choice, value=value, counts=counts, note=note, ip=ip)
            changed += 1
        audit_record(actor=user, action="lke.import", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("Impor lembar kerja LKE kolom %(c)s: %(n)s jawaban berubah")
                     % {"c": column, "n": changed},
                     data={"column": column, "changed": changed})
    return changed


def improvement_to_step(*, assessment: Assessment, code: str, description: str, evidence_required: str,
                        due_date, user, membership: Membership | None, ip: str | None = None):
    """Turn an improvement of "where the points are" into an action step of the plan (Ketua Tim): with its bukti
    fisik and target date, under an indicator that serves the question (the first mapped one, else a new indicator
    in the first sub-component of the question's area), and the link so the question shows the step."""
    from actionplan.models import ActionStep, Component, Indicator, SubComponent, Target

    if _role(membership) != Role.KETUA:
        raise PermissionDenied(_("Langkah aksi ditambahkan oleh Ketua Tim."))
    struct = selectors.structure(assessment.version)
    question = struct.questions.get(code)
    if question is None:
        raise ValidationError(_("Pertanyaan %(c)s tidak ada di LKE ini.") % {"c": code[:40]})
    if assessment.plan_id is None:
        raise ValidationError(_("Belum ada rencana kerja tahun ini untuk ditambahi langkah aksi."))
    if due_date.year != assessment.year:
        raise ValidationError({"due_date": _("Target waktu harus di tahun %(y)s.") % {"y": assessment.year}})
    roman = ["I", "II", "III", "IV", "V", "VI"]
    with transaction.atomic():
        indicator = (Indicator.objects.filter(subcomponent__component__plan_id=assessment.plan_id,
                                              lke_links__question_code=code)
                     .order_by("subcomponent__component__order", "subcomponent__number", "order").first())
        if indicator is None:
            area = question_area(struct, code)
            component = Component.objects.filter(plan_id=assessment.plan_id,
                                                 code=roman[area - 1] if area else "").first()
            sub = SubComponent.objects.filter(component=component).order_by("number").first() if component else None
            if sub is None:
                raise ValidationError(_("Rencana kerja tidak punya sub-komponen untuk area pertanyaan ini."))
            indicator = Indicator(subcomponent=sub, order=sub.indicators.count() + 1,
                                  text=f"LKE {code}: {question.text}"[:2000])
            indicator.full_clean()
            indicator.save()
        QuestionLink.objects.get_or_create(indicator=indicator, question_code=code,
                                           defaults={"source": QuestionLink.Source.MANUAL})
        step = ActionStep(indicator=indicator, order=indicator.steps.count() + 1, description=description.strip(),
                          evidence_required=evidence_required.strip(),
                          target_text=due_date.strftime("%d-%m-%Y"))
        step.full_clean()
        step.save()
        target = Target.for_date(step, due_date)
        target.full_clean()
        target.save()
        audit_record(actor=user, action="lke.make_step", unit_id=assessment.unit_id, obj=assessment, ip=ip,
                     summary=_("%(c)s: langkah aksi ditambahkan ke rencana kerja") % {"c": code},
                     data={"question": code, "step": step.pk, "indicator": indicator.pk,
                           "due_date": due_date.isoformat()})
    return step
