import datetime
import re

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin

from actionplan.audit import client_ip
from actionplan.models import Role
from lke import selectors as lke_selectors
from programme.selectors import programme_summary
from zi_portal.lib.files import protected_file_response

from . import selectors, services
from .charts import component_chart, component_chart_narrow, progress_chart
from .forms import ReportForm, SignConfirmForm, VerifyForm
from .models import ReportReturn
from .resources import status_export_file

# ---------------------------------------------------------------------------------------------------------------
# Progress dashboard
# ---------------------------------------------------------------------------------------------------------------


def _period(request) -> tuple[int | None, datetime.date]:
    """The optional semester (GET semester=1|2) and the date the statuses are computed for (GET per=YYYY-MM-DD,
    default today in Asia/Jakarta)."""
    semester = request.GET.get("semester")
    semester = int(semester) if semester in ("1", "2") else None
    try:
        as_of = datetime.date.fromisoformat(request.GET.get("per", ""))
    except ValueError:
        as_of = timezone.localdate()
    return semester, as_of


@login_required
def dashboard(request, plan_id: int):
    plan, membership = selectors.get_dashboard_plan(request.user, plan_id)
    semester, as_of = _period(request)
    # The figures are the same for every reader; they are cached under a key that changes with each audited
    # change of the unit (uploads, reviews, assignments, imports) and expire after DASHBOARD_CACHE_SECONDS.
    key = f"monev:dashboard:{plan.pk}:{plan.unit_version}:{semester}:{as_of.isoformat()}"
    body = cache.get(key)
    if body is None:
        data = selectors.dashboard_data(plan=plan, as_of=as_of, semester=semester)
        progress = selectors.progress_over_time(plan=plan, as_of=as_of, components=[c for c, _p in data["components"]])
        body = render_to_string("monev/_dashboard_body.html", {
            **data, "chart": component_chart(data["components"]),
            "chart_narrow": component_chart_narrow(data["components"]),
            "progress": progress, "progress_chart": progress_chart(progress),
            "lke_card": lke_selectors.score_card(plan),   # issue 10: the LKE score card
            "programme": programme_summary(plan=plan, as_of=as_of, semester=semester,  # issue 11
                                           statuses_by_step=data["statuses_by_step"]),
            "target_url": reverse("evidence:target", args=[0]).removesuffix("0/")})
        cache.set(key, body, settings.DASHBOARD_CACHE_SECONDS)
    return render(request, "monev/dashboard.html", {
        "plan": plan, "membership": membership, "semester": semester, "as_of": as_of, "body": mark_safe(body)})


@login_required
def status_export(request, plan_id: int):
    plan, _membership = selectors.get_dashboard_plan(request.user, plan_id)
    semester, as_of = _period(request)
    filename, content = status_export_file(plan=plan, as_of=as_of, semester=semester)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def units_summary(request):
    _semester, as_of = _period(request)
    return render(request, "monev/units_summary.html", {
        "rows": selectors.units_summary(request.user, as_of=as_of), "as_of": as_of})


# ---------------------------------------------------------------------------------------------------------------
# Notifications (deadline reminders)
# ---------------------------------------------------------------------------------------------------------------
# (Imports of this section live here so the two halves of the file can be edited independently.)
from django.contrib import messages  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

# ---------------------------------------------------------------------------------------------------------------
# Semester Monev reports
# ---------------------------------------------------------------------------------------------------------------


def _back(report_or_plan, semester=None):
    if semester is None:
        return redirect("monev:report_page", plan_id=report_or_plan.plan_id, semester=report_or_plan.semester)
    return redirect("monev:report_page", plan_id=report_or_plan.pk, semester=semester)


def _run(request, action, success: str):
    """Call a report service; its refusal becomes a message on the report page."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


@login_required
def report_page(request, plan_id: int, semester: int):
    plan, membership = selectors.get_dashboard_plan(request.user, plan_id)
    if semester not in (1, 2):
        raise Http404
    context = selectors.report_page_data(plan=plan, semester=semester)
    context["returns"] = list(ReportReturn.objects.of_semester(plan, semester))
    current = context["current"]
    if current is not None and current.is_editable and membership.role == Role.KETUA:
        context["form"] = ReportForm(report=current)
    return render(request, "monev/report.html", {"plan": plan, "membership": membership, "semester": semester,
                                                  **context})


@login_required
@require_POST
def report_begin(request, plan_id: int, semester: int):
    """"Mulai menyusun laporan": the first version with its default number; the page then shows its form."""
    plan, membership = selectors.get_dashboard_plan(request.user, plan_id)
    if semester not in (1, 2):
        raise Http404
    _run(request, lambda: services.report_start(plan=plan, semester=semester, user=request.user,
                                                membership=membership, ip=client_ip(request)),
         _("Laporan dimulai. Lengkapi nomor, simpulan dan rekomendasi, lalu simpan."))
    return _back(plan, semester)


@login_required
@require_POST
def report_edit(request, plan_id: int, semester: int):
    plan, membership = selectors.get_dashboard_plan(request.user, plan_id)
    if semester not in (1, 2):
        raise Http404
    report = services.report_start(plan=plan, semester=semester, user=request.user, membership=membership,
                                   ip=client_ip(request))
    form = ReportForm(request.POST, report=report)
    if form.is_valid():
        _run(request, lambda: services.report_save(report=report, user=request.user, membership=membership,
                                                   ip=client_ip(request), **form.service_kwargs()),
             _("Laporan tersimpan."))
    else:
        problems = [f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
                    for f, e in form.errors.items()]
        messages.error(request, _("Periksa isian laporan: ") + "; ".join(problems))
    return _back(plan, semester)


@login_required
@require_POST
def report_submit(request, plan_id: int, semester: int):
    plan, membership = selectors.get_dashboard_plan(request.user, plan_id)
    if semester not in (1, 2):
        raise Http404
    report = services.report_start(plan=plan, semester=semester, user=request.user, membership=membership,
                                   ip=client_ip(request))
    _run(request, lambda: services.report_submit(report=report, user=request.user, membership=membership,
                                                 ip=client_ip(request), answer=request.POST.get("answer", "")),
         _("Laporan diajukan ke Kepala Dinas. Data laporan dibekukan."))
    return _back(plan, semester)


@login_required
@require_POST
def report_draft(request, report_id: int):
    report, membership = selectors.get_report_for_user(request.user, report_id)
    _run(request, lambda: services.report_request_draft(report=report, user=request.user, membership=membership,
                                                        ip=client_ip(request)), _("Draf sedang dibuat."))
    return _back(report)


@login_required
def report_render_status(request, report_id: int):
    """The report's render state as JSON, polled by static/js/render-status.js while a PDF is being made."""
    report, _membership = selectors.get_report_for_user(request.user, report_id)
    busy = report.render_state in (report.RenderState.QUEUED, report.RenderState.RENDERING)
    return JsonResponse({"state": report.render_state, "label": str(report.get_render_state_display()),
                         "busy": busy, "error": report.render_error if report.render_state == "failed" else "",
                         "pages": report.pages},
                        headers={"Cache-Control": "no-store"})


@login_required
@require_POST
def report_return(request, report_id: int):
    report, membership = selectors.get_report_for_user(request.user, report_id)
    _run(request, lambda: services.report_return(report=report, user=request.user, membership=membership,
                                                 note=request.POST.get("note", ""), ip=client_ip(request)),
         _("Laporan dikembalikan ke Ketua Tim."))
    return _back(report)


def _preview_ready(report) -> bool:
    """The draft rendered from the frozen snapshot at submission is there (and no render is under way)."""
    return bool(report.draft_pdf) and report.render_state == report.RenderState.READY


@login_required
def report_sign(request, report_id: int):
    """"Setujui dan tandatangani": first the PDF that will be signed (the draft of the frozen data) and the
    Kepala Dinas's password again; a wrong password signs nothing."""
    report, membership = selectors.get_report_for_user(request.user, report_id)
    if membership.role != Role.KEPALA:
        raise PermissionDenied(_("Hanya Kepala Dinas yang menyetujui dan menandatangani laporan."))
    if report.status != report.Status.SUBMITTED:
        messages.error(request, _("Hanya laporan yang diajukan Ketua Tim dapat ditandatangani."))
        return _back(report)
    form = SignConfirmForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and not _preview_ready(report):
        messages.error(request, _("Pratinjau PDF belum siap; periksa dulu PDF yang akan ditandatangani."))
        return redirect("monev:report_sign", report_id=report.pk)
    if request.method == "POST" and form.is_valid():
        _run(request, lambda: services.report_sign(report=report, user=request.user, membership=membership,
                                                   ip=client_ip(request), reauthenticated=True),
             _("Laporan disetujui; PDF bertanda tangan sedang dibuat."))
        return _back(report)
    return render(request, "monev/report_sign.html", {
        "report": report, "plan": report.plan, "form": form, "preview_ready": _preview_ready(report)},
        status=400 if form.errors else 200)


@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def report_preview(request, report_id: int):
    """The draft PDF inline, framed by the signing page (only by the portal's own pages); recorded as a
    download."""
    report, _membership = selectors.get_report_for_user(request.user, report_id)
    if not report.draft_pdf:
        raise Http404(_("PDF laporan belum tersedia."))
    services.report_download_record(report=report, user=request.user, kind="draft", sha256=report.draft_sha256,
                                    ip=client_ip(request))
    name = f"laporan-monev-zi-{report.plan.year}-semester-{report.semester_roman}-v{report.version}-draf.pdf"
    return protected_file_response(report.draft_pdf, filename=name, content_type="application/pdf", inline=True)


@login_required
@require_POST
def report_correct(request, report_id: int):
    report, membership = selectors.get_report_for_user(request.user, report_id)
    _run(request, lambda: services.report_correct(report=report, user=request.user, membership=membership,
                                                  ip=client_ip(request)),
         _("Versi perbaikan dibuat; laporan bertanda tangan sebelumnya tetap tersimpan."))
    return _back(report)


@login_required
def report_download(request, report_id: int):
    """The signed PDF once signed (or the draft with ?berkas=draf); every download is recorded."""
    report, _membership = selectors.get_report_for_user(request.user, report_id)
    signed = bool(report.signed_pdf) and request.GET.get("berkas") != "draf"
    field, digest = (report.signed_pdf, report.signed_sha256) if signed else (report.draft_pdf, report.draft_sha256)
    if not field:
        raise Http404(_("PDF laporan belum tersedia."))
    services.report_download_record(report=report, user=request.user, kind="signed" if signed else "draft",
                                    sha256=digest, ip=client_ip(request))
    name = (f"laporan-monev-zi-{report.plan.year}-semester-{report.semester_roman}-v{report.version}"
            f"{'' if signed else '-draf'}.pdf")
    return protected_file_response(field, filename=name, content_type="application/pdf", inline=False)


_CODE_SHAPE = re.compile(r"[A-Za-z0-9-]{1,12}")


def verify(request, code: str):
    """Public (no login): the identity of a signed report, and a check of an uploaded copy."""
    # Anything typed into the address bar arrives here; PostgreSQL refuses a NUL in the lookup with an error.
    if not _CODE_SHAPE.fullmatch(code.strip()):
        raise Http404("Kode verifikasi tidak dikenal.")
    report = selectors.get_signed_report_by_code(code)
    result = None
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.verification_check(report=report, uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
    return render(request, "monev/verify.html", {"report": report, "form": form, "result": result},
                  status=400 if form.errors else 200)
