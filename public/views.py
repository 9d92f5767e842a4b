"""Pages for anonymous visitors: the list of units with a public page, a unit's transparency page, its open
data (CSV/JSON) and the signed Monev reports the unit published. No login, no session written, no form; cached
for PUBLIC_CACHE_SECONDS (the cache only saves work: with Redis down the page is computed each time), rate
limited per address (public/ratelimit.py). Plus the settings page where the Kepala Dinas or Ketua Tim switches
the unit's page on."""
import csv
import io
import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from actionplan.audit import client_ip
from monev.models import Report
from programme.selectors import get_unit_for_user
from zi_portal.lib.files import protected_file_response

from . import selectors
from .forms import PublicPageForm
from .models import PublicPage
from .ratelimit import rate_limited
from .services import PUBLISHER_ROLES, default_slug, public_page_set

_SLUG = re.compile(r"[-a-z0-9]{1,80}")
_CODE = re.compile(r"[A-Za-z0-9-]{1,12}")


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={min(settings.PUBLIC_CACHE_SECONDS, 60)}"
    return response


def _cached(key: str, build):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.PUBLIC_CACHE_SECONDS)
    return value


def _whole_page(request, key: str, render_page) -> HttpResponse:
    """A visitor without cookies (no session, no messages) sees exactly what every such visitor sees: the whole
    page comes from the cache. Anyone else gets the cached body inside a page rendered for them (the navigation
    bar of a logged-in user)."""
    if request.COOKIES:
        return _public(render_page())
    html = cache.get(key)
    if html is None:
        html = render_page().content
        cache.set(key, html, settings.PUBLIC_CACHE_SECONDS)
    return _public(HttpResponse(html))


@require_GET
@rate_limited
def units(request):
    def build():
        return render_to_string("public/_units_body.html",
                                {"units": selectors.public_units(as_of=timezone.localdate())})
    return _whole_page(request, "public:page:units", lambda: render(
        request, "public/units.html", {"body": mark_safe(_cached("public:units", build))}))


def _page(slug: str) -> PublicPage:
    if not _SLUG.fullmatch(slug):
        raise Http404("Halaman tidak ditemukan.")
    return selectors.get_public_page(slug)


@require_GET
@rate_limited
def unit(request, slug: str):
    if not _SLUG.fullmatch(slug):
        raise Http404("Halaman tidak ditemukan.")

    def render_page():
        page = _page(slug)

        def build():
            data = selectors.public_unit_data(page, as_of=timezone.localdate())
            return render_to_string("public/_unit_body.html", {"d": data, "chart": mark_safe(data["chart_svg"])})
        return render(request, "public/unit.html", {
            "page": page, "body": mark_safe(_cached(f"public:unit:{page.slug}", build))})
    return _whole_page(request, f"public:page:{slug}", render_page)


@require_GET
@rate_limited
def unit_data(request, slug: str, fmt: str):
    if fmt not in ("csv", "json") or not _SLUG.fullmatch(slug):
        raise Http404

    def build():
        # Only built for a switched-on page; switching off drops the cached file (public/services.py).
        data = selectors.public_unit_data(_page(slug), as_of=timezone.localdate())
        if fmt == "json":
            data = {k: v for k, v in data.items() if k != "chart_svg"}
            return json.dumps(data, ensure_ascii=False, indent=1).encode()
        out = io.StringIO()
        csv.writer(out).writerows(selectors.csv_rows(data))
        return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 correctly
    body = _cached(f"public:data:{slug}:{fmt}", build)
    response = HttpResponse(body, content_type="application/json" if fmt == "json" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'{"inline" if fmt == "json" else "attachment"}; filename="zi-{slug}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return _public(response)


@require_GET
@rate_limited
def report_pdf(request, slug: str, code: str):
    if not _CODE.fullmatch(code):
        raise Http404
    report = selectors.public_report(_page(slug).slug, code)
    name = f"laporan-monev-zi-{report.plan.year}-semester-{report.semester_roman}-v{report.version}.pdf"
    return protected_file_response(report.signed_pdf, filename=name, content_type="application/pdf", inline=False)


@login_required
def page_settings(request, unit_id: int):
    unit_, membership = get_unit_for_user(request.user, unit_id, roles=PUBLISHER_ROLES)
    page = PublicPage.objects.filter(unit=unit_).first()
    reports = list(Report.objects.filter(plan__unit=unit_, status=Report.Status.SIGNED,
                                         verification_code__isnull=False)
                   .select_related("plan", "publication").order_by("-plan__year", "-semester", "-version"))
    form = PublicPageForm(request.POST or None, reports=reports, initial={
        "enabled": page.enabled if page else False, "slug": page.slug if page else default_slug(unit_),
        "published": [r.verification_code for r in reports
                      if getattr(getattr(r, "publication", None), "pdf_public", False)]})
    if request.method == "POST" and form.is_valid():
        try:
            public_page_set(unit=unit_, enabled=form.cleaned_data["enabled"], slug=form.cleaned_data["slug"],
                            published_codes=form.cleaned_data["published"], actor=request.user,
                            membership=membership, ip=client_ip(request))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Pengaturan halaman publik tersimpan."))
            return redirect("public:settings", unit_id=unit_.pk)
    return render(request, "public/settings.html", {"unit": unit_, "page": page, "form": form, "reports": reports},
                  status=400 if form.errors else 200)
