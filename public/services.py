"""Writes of the public app: switching a unit's transparency page on or off, its address, and which signed
reports may be downloaded there. Only the Kepala Dinas or the Ketua Tim decide; every change is audited."""
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from actionplan.audit import audit_record
from actionplan.models import Membership, Role, Unit
from monev.models import Report

from .models import PublicPage, PublishedReport

PUBLISHER_ROLES = frozenset({Role.KEPALA, Role.KETUA})


def cache_keys(slug: str) -> list[str]:
    return [f"public:page:{slug}", f"public:unit:{slug}", f"public:data:{slug}:csv", f"public:data:{slug}:json",
            "public:page:units", "public:units"]


def cache_forget(slug: str) -> None:
    cache.delete_many(cache_keys(slug))


def default_slug(unit: Unit) -> str:
    return slugify(unit.name)[:80].strip("-") or f"unit-{unit.pk}"


def public_page_set(*, unit: Unit, enabled: bool, slug: str | None = None, published_codes=None, actor=None,
                    membership: Membership | None = None, ip: str | None = None, check_role: bool = True,
                    ) -> PublicPage:
    """Switch the unit's public page on or off, set its address, and (when `published_codes` is given) make
    exactly those signed reports' PDFs downloadable there. The page's cache is dropped at once, so switching
    off takes effect on the next request."""
    if check_role and (membership is None or membership.role not in PUBLISHER_ROLES):
        raise PermissionDenied(_("Hanya Kepala Dinas atau Ketua Tim yang dapat mengatur halaman publik."))
    with transaction.atomic():
        page = PublicPage.objects.select_for_update().filter(unit=unit).first()
        previous = None if page is None else {"enabled": page.enabled, "slug": page.slug}
        page = page or PublicPage(unit=unit)
        page.slug = slugify(slug or "")[:80].strip("-") if slug else (page.slug or default_slug(unit))
        if not page.slug:
            raise ValidationError({"slug": _("Alamat hanya boleh berisi huruf, angka dan tanda hubung.")})
        if PublicPage.objects.filter(slug=page.slug).exclude(unit=unit).exists():
            raise ValidationError({"slug": _("Alamat ini sudah dipakai unit lain.")})
        page.enabled, page.changed_by = bool(enabled), actor
        page.full_clean(exclude=["unit"] if page.pk is None else None)
        page.save()
        published = None
        if published_codes is not None:
            signed = {r.verification_code: r for r in Report.objects.filter(
                plan__unit=unit, status=Report.Status.SIGNED, verification_code__isnull=False)}
            published = sorted(c for c in published_codes if c in signed)
            for code, report in signed.items():
                PublishedReport.objects.update_or_create(report=report, defaults={
                    "pdf_public": code in published, "changed_by": actor})
        audit_record(actor=actor, action="public.page", unit=unit, obj=page, ip=ip,
                     summary=(_("Halaman publik %(s)s: %(state)s")
                              % {"s": page.slug, "state": _("aktif") if page.enabled else _("nonaktif")}),
                     data={"enabled": page.enabled, "slug": page.slug, "published_pdf": published,
                           "previous": previous})
        for slug_ in {page.slug, (previous or {}).get("slug") or page.slug}:
            transaction.on_commit(lambda s=slug_: cache_forget(s))
    return page
