"""LKE pages. Every view loads its object through one access helper (404 outside the user's units), the
services decide who may act (403 for a role that may not), and refused input is a message with nothing saved."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actionplan.audit import client_ip
from actionplan.models import AuditEvent, Role
from actionplan.selectors import unit_version
from zi_portal.lib.files import protected_file_response

from . import scoring, selectors, services
from .forms import AnswerForm, DocumentForm, EligibilityForm, ImportForm, LinkForm, LinksForm, StepForm
from .management.commands.lke_export import export_bytes
from .models import Column, EligibilityStatus, LkeDocument

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _back(assessment, code=None):
    if code:
        return redirect("lke:question", assessment_id=assessment.pk, code=code)
    return redirect("lke:assessment", unit_id=assessment.unit_id, year=assessment.year)


def _refused(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
def assessment(request, unit_id: int, year: int):
    unit, membership, found = selectors.get_page_assessment(request.user, unit_id, year)
    # The figures are the same for every reader: cached under a key that changes with every audited change of
    # the unit (answers, evidence, reviews, reports), like the dashboard's.
    key = f"lke:page:{unit.pk}:{year}:{found.pk if found else 0}:{unit_version(unit.pk)}"
    body, data = cache.get(key), None
    if body is None:
        data = selectors.page_data(found, unit, year)
        body = render_to_string("lke/_assessment_body.html", {**data, "assessment": found, "unit": unit,
                                                              "year": year, "chart": mark_safe(data["chart"])})
        cache.set(key, body, settings.DASHBOARD_CACHE_SECONDS)
    return render(request, "lke/assessment.html", {
        "unit": unit, "year": year, "assessment": found, "membership": membership, "body": mark_safe(body),
        "can_start": found is None and membership.role != Role.KEPALA,
        # the form is written out in the template (no widget templates: this page is read often)
        "eligibility_rows": (data["eligibility"] if data else selectors.eligibility(found))
        if found and membership.role in (Role.KETUA, Role.TPI) else None,
        "statuses": EligibilityStatus.choices})


@login_required
@require_POST
def start(request, unit_id: int, year: int):
    unit, membership, _found = selectors.get_page_assessment(request.user, unit_id, year)
    found = services.assessment_start(unit=unit, year=year, user=request.user, membership=membership,
                                      ip=client_ip(request))
    return _back(found)


@login_required
def question(request, assessment_id: int, code: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    struct = selectors.structure(found.version)
    q = struct.questions.get(code)
    if q is None:
        raise Http404("Pertanyaan tidak ditemukan.")
    rows = selectors.answers(found)
    holds = selectors.holds_for(found.unit_id)
    columns = []
    for column, label in Column.choices:
        row = rows[column].get(code)
        try:
            services.answer_check(assessment=found, code=code, column=column, user=request.user,
                                  membership=membership)
            editable = True
        except (PermissionDenied, ValidationError):
            editable = False
        initial = {"note": row.note if row else "", "choice": row.choice if row else "",
                   "value": row.value if row else None}
        for i, (ccode, _t) in enumerate(q.counts, start=1):
            initial[f"count_{i}"] = row.counts.get(ccode) if row else None
        columns.append({"column": column, "label": label, "row": row, "editable": editable,
                        "form": AnswerForm(question=q, initial=initial, prefix=column),
                        "value": selectors.column_score(struct, rows[column], holds).values[code]})
    links = selectors.answer_evidence([c["row"].pk for c in columns if c["row"]])
    for c in columns:
        c["links"] = links.get(c["row"].pk, []) if c["row"] else []
    history = AuditEvent.objects.filter(object_type="lke.assessment", object_id=str(found.pk),
                                        data__question=code).select_related("actor")[:50]
    linked = selectors.question_links(found.plan, code)
    links_form = None
    if membership.role == Role.KETUA and found.plan_id:
        links_form = LinksForm(indicators=selectors.plan_indicators(found.plan),
                               initial={"indicators": [i.pk for i in linked]})
    return render(request, "lke/question.html", {
        "links_form": links_form,
        "assessment": found, "membership": membership, "q": q, "columns": columns,
        "node": struct.nodes[q.node], "history": history,
        "plan_indicators": linked,
        "revisions": selectors.accepted_revisions(found.plan) if any(c["editable"] for c in columns) else [],
        "link_form": LinkForm(), "document_form": DocumentForm(), "weight_points": _question_weight(struct, q)})


def _question_weight(struct, q) -> scoring.Decimal:
    return scoring._gain_factor(struct, q.code)


@login_required
@require_POST
def answer_save(request, assessment_id: int, code: str, column: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    q = selectors.structure(found.version).questions.get(code)
    if q is None or column not in Column.values:
        raise Http404("Pertanyaan tidak ditemukan.")
    form = AnswerForm(request.POST, question=q, prefix=column)
    if not form.is_valid():
        messages.error(request, _("Jawaban tidak disimpan: %(e)s") % {
            "e": "; ".join(f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}"
                           for f, e in form.errors.items())})
        return _back(found, code)
    try:
        services.answer_save(assessment=found, code=code, column=column, user=request.user, membership=membership,
                             choice=form.cleaned_data.get("choice") or "", value=form.cleaned_data.get("value"),
                             counts=form.counts() if q.counts else None, note=form.cleaned_data["note"],
                             ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Jawaban %(c)s tersimpan.") % {"c": code})
    return _back(found, code)


@login_required
@require_POST
def evidence_link(request, assessment_id: int, code: str, column: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih bukti fisik yang akan ditautkan."))
        return _back(found, code)
    try:
        services.evidence_link(assessment=found, code=code, column=column, revision_id=form.cleaned_data["revision"],
                               user=request.user, membership=membership, ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Bukti fisik ditautkan."))
    return _back(found, code)


@login_required
@require_POST
def document_upload(request, assessment_id: int, code: str, column: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Dokumen tidak diunggah: pilih berkas (keterangan paling banyak 500 karakter)."))
        return _back(found, code)
    try:
        services.document_upload(assessment=found, code=code, column=column, file=form.cleaned_data["file"],
                                 description=form.cleaned_data["description"], user=request.user,
                                 membership=membership, ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Dokumen diunggah dan ditautkan."))
    return _back(found, code)


@login_required
@require_POST
def evidence_unlink(request, assessment_id: int, link_id: int):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    code = request.POST.get("code", "")
    try:
        services.evidence_unlink(link_id=link_id, assessment=found, user=request.user, membership=membership,
                                 ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Tautan bukti dilepas."))
    return _back(found, code if code in selectors.structure(found.version).questions else None)


@login_required
def document_download(request, assessment_id: int, document_id: int):
    found, _membership = selectors.get_assessment_for_user(request.user, assessment_id)
    doc = LkeDocument.objects.filter(pk=document_id, assessment=found).first()
    if doc is None:
        raise Http404("Dokumen tidak ditemukan.")
    return protected_file_response(doc.file, filename=doc.original_name, content_type=doc.content_type,
                                   inline=doc.inline)


def _workflow(request, assessment_id: int, service, done: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    try:
        service(assessment=found, user=request.user, membership=membership, ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return _back(found)


@login_required
@require_POST
def submit(request, assessment_id: int):
    return _workflow(request, assessment_id, services.assessment_submit,
                     _("Penilaian mandiri diajukan; jawaban dan nilainya dibekukan."))


@login_required
@require_POST
def reopen(request, assessment_id: int):
    return _workflow(request, assessment_id, services.assessment_reopen, _("Penilaian mandiri dibuka kembali."))


@login_required
@require_POST
def tpi_finalise(request, assessment_id: int):
    return _workflow(request, assessment_id, services.tpi_finalise, _("Penilaian TPI difinalkan."))


@login_required
@require_POST
def eligibility(request, assessment_id: int):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    if membership.role not in (Role.KETUA, Role.TPI):
        raise PermissionDenied(_("Syarat pengusulan dicatat oleh Ketua Tim atau TPI."))
    form = EligibilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Syarat pengusulan tidak disimpan: pilih status yang tersedia."))
        return _back(found)
    services.eligibility_set(assessment=found, values=form.values(), user=request.user, membership=membership,
                             ip=client_ip(request))
    messages.success(request, _("Syarat pengusulan tersimpan."))
    return _back(found)


@login_required
def export(request, assessment_id: int):
    found, _membership = selectors.get_assessment_for_user(request.user, assessment_id)
    response = HttpResponse(export_bytes(found.unit, found.year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="lke-{slugify(found.unit.name)[:80]}-{found.year}.xlsx"'
    return response


@login_required
@require_POST
def import_sheet(request, assessment_id: int, column: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    if column not in Column.values:
        raise Http404("Kolom tidak dikenal.")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Pilih lembar kerja .xlsx untuk diimpor."))
        return _back(found)
    upload = form.cleaned_data["file"]
    if upload.size > settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024:
        messages.error(request, _("Lembar kerja terlalu besar."))
        return _back(found)
    try:
        changed = services.assessment_import(assessment=found, column=column, content=upload.read(),
                                             user=request.user, membership=membership, ip=client_ip(request))
    except services.LkeImportError as exc:
        messages.error(request, _("Impor dibatalkan, tidak ada yang disimpan (%(n)s kesalahan): %(e)s") % {
            "n": len(exc.issues), "e": "; ".join(str(i) for i in exc.issues[:30])})
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Impor selesai: %(n)s jawaban berubah.") % {"n": changed})
    return _back(found)


@login_required
def history(request, assessment_id: int):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    events = (AuditEvent.objects.filter(object_type="lke.assessment", object_id=str(found.pk))
              .select_related("actor")[:500])
    return render(request, "lke/history.html", {"assessment": found, "membership": membership, "events": events})


@login_required
def points(request, assessment_id: int):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    struct = selectors.structure(found.version)
    rows = selectors.answers(found)[Column.UNIT]
    holds = selectors.holds_for(found.unit_id)
    result = selectors.column_score(struct, rows, holds)
    paths = {p.code: scoring.shortest_path(struct, result, p.code, holds=holds) for p in struct.predicates}

    def offer(step):
        """The step with what its "make it an action step" form is prefilled with."""
        q = struct.questions[step.code]
        wanted = next((t for k, t, _v in q.choices if k == step.label), "") or step.label
        return {"step": step, "text": q.text,
                "description": f"Perbaikan LKE {step.code}: {q.text}"[:2000],
                "evidence": wanted[:2000], "due": f"{found.year}-12-31"}
    return render(request, "lke/points.html", {
        "assessment": found, "membership": membership, "result": result,
        "can_plan": membership.role == Role.KETUA and found.plan_id is not None,
        "gains": [offer(s) for s in scoring.one_step_gains(struct, result)[:15]],
        "paths": {code: None if path is None else [offer(s) for s in path] for code, path in paths.items()},
        "without_evidence": selectors.questions_without_evidence(struct, rows)})


@login_required
def units(request, year: int):
    if not 2000 <= year <= 2100:
        raise Http404("Tahun tidak dikenal.")
    return render(request, "lke/units.html", {"year": year, "rows": selectors.units_table(request.user, year)})


@login_required
@require_POST
def links_propose(request, assessment_id: int):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    if membership.role != Role.KETUA:
        raise PermissionDenied(_("Pemetaan rencana ↔ LKE diatur oleh Ketua Tim."))
    n = services.links_propose(assessment=found, user=request.user)
    messages.success(request, _("%(n)s tautan indikator rencana ↔ pertanyaan LKE diusulkan.") % {"n": n})
    return _back(found)


@login_required
@require_POST
def links_set(request, assessment_id: int, code: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    if membership.role != Role.KETUA:
        raise PermissionDenied(_("Pemetaan rencana ↔ LKE diatur oleh Ketua Tim."))
    form = LinksForm(request.POST, indicators=selectors.plan_indicators(found.plan))
    if not form.is_valid():
        messages.error(request, _("Pemetaan tidak disimpan: pilih indikator dari rencana kerja ini."))
        return _back(found, code if code in selectors.structure(found.version).questions else None)
    try:
        services.links_set(assessment=found, code=code, indicator_ids=form.cleaned_data["indicators"],
                           user=request.user, membership=membership, ip=client_ip(request))
    except ValidationError as exc:
        _refused(request, exc)
        return _back(found)
    messages.success(request, _("Pemetaan rencana untuk %(c)s tersimpan.") % {"c": code})
    return _back(found, code)


@login_required
@require_POST
def make_step(request, assessment_id: int, code: str):
    found, membership = selectors.get_assessment_for_user(request.user, assessment_id)
    if membership.role != Role.KETUA:
        raise PermissionDenied(_("Langkah aksi ditambahkan oleh Ketua Tim."))
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Langkah aksi tidak ditambahkan: isi langkah, bukti fisik dan target waktu."))
        return redirect("lke:points", assessment_id=found.pk)
    try:
        services.improvement_to_step(assessment=found, code=code, user=request.user, membership=membership,
                                     ip=client_ip(request), **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Langkah aksi untuk %(c)s ditambahkan ke rencana kerja.") % {"c": code})
    return redirect("lke:points", assessment_id=found.pk)
