from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actionplan.audit import client_ip
from actionplan.models import Role
from zi_portal.lib.files import protected_file_response

from . import selectors, services
from .forms import BundleForm, CommentForm, ReviewForm, UploadForm, WithdrawForm
from .models import RevisionStatus, allowed_transition
from .tasks import build_bundle


@login_required
def my_tasks(request):
    """The open action steps of the user, most urgent first, a page at a time (?halaman=N); those fully done with
    ?selesai=1; filtered by ?status=, ?komponen= and a search ?q=."""
    get = request.GET
    return render(request, "evidence/my_tasks.html", selectors.my_tasks_page(
        request.user, page=get.get("halaman"), done=get.get("selesai") == "1", status=get.get("status"),
        component=get.get("komponen"), search=get.get("q")))


@login_required
def review_queue(request):
    if not request.user.memberships.filter(role=Role.KETUA).exists():
        raise PermissionDenied(_("Antrean review hanya untuk Ketua Tim."))
    return render(request, "evidence/review_queue.html", {"revisions": selectors.review_queue(request.user)})


@login_required
def target_detail(request, target_id: int):
    target, membership = selectors.get_target_for_user(request.user, target_id)
    thread = selectors.target_thread(target, request.user, role=membership.role)
    latest = thread["latest"]
    return render(request, "evidence/target_detail.html", {
        "target": target, "membership": membership, **thread,
        "can_upload": services.can_upload(role=membership.role, latest_status=latest.status if latest else None,
                                          assigned=thread["is_assigned"]),
        "can_withdraw": latest is not None and allowed_transition(
            revision=latest, to=RevisionStatus.WITHDRAWN, user=request.user, role=membership.role) is not None,
        "can_review": latest is not None and allowed_transition(
            revision=latest, to=RevisionStatus.ACCEPTED, user=request.user, role=membership.role) is not None,
        "can_comment": membership.role in services.COMMENT_ROLES,
        "comment_form": CommentForm(),
        "withdraw_form": WithdrawForm(),
    })


@login_required
def upload(request, target_id: int):
    target, membership = selectors.get_target_for_user(request.user, target_id)
    try:
        services.upload_check(target=target, user=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evidence:target", target_id=target.pk)
    form = UploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    cut_off = getattr(request, "upload_refused", None)  # set while reading the body (zi_portal/lib/limits.py)
    if request.method == "POST" and cut_off:
        form.errors.clear()
        form.add_error(None, services.upload_too_large(cut_off))
    elif request.method == "POST" and form.is_valid():
        try:
            revision = services.evidence_submit(
                target=target, user=request.user, membership=membership, files=form.cleaned_data["files"],
                description=form.cleaned_data["description"], document_date=form.cleaned_data["document_date"],
                ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Revisi %(n)s terunggah dan menunggu review Ketua Tim.")
                             % {"n": revision.number})
            for text in _copy_warnings(revision, target):
                messages.warning(request, text)
            return redirect("evidence:target", target_id=target.pk)
    return render(request, "evidence/upload.html", {"target": target, "membership": membership, "form": form},
                  status=400 if form.errors else 200)


def _copy_warnings(revision, target) -> list[str]:
    """The uploader is told (never stopped) when a file is exactly one submitted before in the unit."""
    unit_id = target.step.indicator.subcomponent.component.plan.unit_id
    out = []
    copies = selectors.earlier_copies([revision], unit_id)
    for f in revision.files.all():
        for copy in copies[f.pk]:
            where = (_("target ini") if copy.revision.target_id == target.pk else
                     _("target lain (komponen %(c)s, jatuh tempo %(d)s)")
                     % {"c": copy.revision.target.step.indicator.subcomponent.component.code,
                        "d": date_format(copy.revision.target.due_date, "j F Y") if copy.revision.target.due_date
                        else _("belum ditentukan")})
            decision = getattr(copy.revision, "decision", None)
            result = copy.revision.get_status_display() + (f": «{decision.note}»" if decision and decision.note
                                                           else "")
            out.append(_("Berkas «%(name)s» sama persis (SHA-256) dengan yang sudah diunggah di %(where)s, revisi "
                         "%(n)s, %(when)s — %(result)s. Unggahan tetap disimpan; pastikan ini memang berkas yang "
                         "dimaksud.") % {"name": f.original_name, "where": where, "n": copy.revision.number,
                                         "when": date_format(timezone.localtime(copy.revision.submitted_at),
                                                             "j F Y"), "result": result})
    return out


@login_required
def review(request, revision_id: int):
    revision, membership = selectors.get_revision_for_user(request.user, revision_id)
    if membership.role != Role.KETUA:
        raise PermissionDenied(_("Review bukti fisik hanya untuk Ketua Tim."))
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revision_review(revision=revision, user=request.user, membership=membership,
                                     decision=form.cleaned_data["decision"], note=form.cleaned_data["note"],
                                     ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Keputusan review tersimpan."))
            return redirect("evidence:review_queue")
    thread = selectors.target_thread(revision.target, request.user, role=membership.role)
    return render(request, "evidence/review.html", {
        "revision": revision, "target": revision.target, "membership": membership, "form": form, **thread,
        "can_review": allowed_transition(revision=revision, to=RevisionStatus.ACCEPTED, user=request.user,
                                         role=membership.role) is not None,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def withdraw(request, revision_id: int):
    revision, membership = selectors.get_revision_for_user(request.user, revision_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():     # refused, not withdrawn with the reason silently dropped
        messages.error(request, _("Revisi tidak ditarik. Alasan penarikan: %(e)s")
                       % {"e": " ".join(form.errors.get("reason", []))})
        return redirect("evidence:target", target_id=revision.target_id)
    services.revision_withdraw(revision=revision, user=request.user, membership=membership,
                               reason=form.cleaned_data["reason"], ip=client_ip(request))
    messages.success(request, _("Revisi %(n)s ditarik.") % {"n": revision.number})
    return redirect("evidence:target", target_id=revision.target_id)


@login_required
@require_POST
def comment(request, target_id: int):
    target, membership = selectors.get_target_for_user(request.user, target_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(target=target, user=request.user, membership=membership,
                                 body=form.cleaned_data["body"], ip=client_ip(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Komentar kosong atau terlalu panjang."))
    return redirect("evidence:target", target_id=target.pk)


@login_required
def download(request, file_id: int):
    row = selectors.get_file_for_user(request.user, file_id)
    return protected_file_response(row.file, filename=row.original_name, content_type=row.content_type,
                                   inline=row.inline)


# -- Berkas untuk TPI (who: evidence.models.BUNDLE_ROLES — TPI, Ketua Tim and Kepala Dinas of the unit) ---------------

@login_required
def bundle_list(request, plan_id: int):
    plan, membership = selectors.get_plan_for_bundles(request.user, plan_id)
    bundles = list(selectors.plan_bundles(plan))
    return render(request, "evidence/bundle_list.html", {
        "plan": plan, "membership": membership, "bundles": bundles, "form": BundleForm(plan=plan),
        "building": any(b.is_busy for b in bundles)})


@login_required
def bundle_status(request, plan_id: int):
    """Which of the plan's bundles are still queued or being built, as JSON, polled by static/js/bundle-status.js
    while the list shows one; the same people as the list."""
    plan, _membership = selectors.get_plan_for_bundles(request.user, plan_id)
    return JsonResponse(selectors.plan_bundle_states(plan), headers={"Cache-Control": "no-store"})


@login_required
@require_POST
def bundle_create(request, plan_id: int):
    plan, membership = selectors.get_plan_for_bundles(request.user, plan_id)
    form = BundleForm(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, _("Pilihan komponen tidak dikenal; berkas tidak disusun."))
        return redirect("evidence:bundle_list", plan_id=plan.pk)
    bundle = services.bundle_request(plan=plan, component_code=form.cleaned_data["component"], user=request.user,
                                     membership=membership, ip=client_ip(request), task=build_bundle)
    bundle.refresh_from_db()
    if bundle.status == bundle.Status.FAILED:
        messages.error(request, bundle.error)
    else:
        messages.success(request, _("Permintaan berkas tercatat (%(s)s).") % {"s": bundle.get_status_display()})
    return redirect("evidence:bundle_list", plan_id=plan.pk)


@login_required
def bundle_download(request, bundle_id: int):
    bundle = selectors.get_bundle_for_user(request.user, bundle_id)
    if bundle.status != bundle.Status.READY:
        raise Http404(_("Berkas ini belum siap diunduh."))
    services.bundle_download_record(bundle=bundle, user=request.user, ip=client_ip(request))
    return protected_file_response(bundle.file, filename=bundle.download_name, content_type="application/zip",
                                   inline=False)
