"""What a unit publishes for anonymous visitors: the switch and address of its transparency page, and which
signed Monev reports may be downloaded there."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from actionplan.models import Unit


class PublicPage(models.Model):
    """The unit's public transparency page at /publik/<slug>/, on only while `enabled`."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="public_page",
                                verbose_name=_("unit kerja"))
    slug = models.SlugField(_("alamat (slug)"), max_length=80, unique=True)
    enabled = models.BooleanField(_("ditampilkan untuk umum"), default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("diubah oleh"))
    changed_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("halaman publik")
        verbose_name_plural = _("halaman publik")
        ordering = ["slug"]

    def __str__(self):
        return self.slug


class PublishedReport(models.Model):
    """A signed Monev report whose PDF the unit allows to be downloaded from its public page. Signed reports are
    always listed there with their verification link; only these have a download link."""

    report = models.OneToOneField("monev.Report", on_delete=models.CASCADE, related_name="publication",
                                  verbose_name=_("laporan"))
    pdf_public = models.BooleanField(_("PDF dapat diunduh publik"), default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("diubah oleh"))
    changed_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("laporan di halaman publik")
        verbose_name_plural = _("laporan di halaman publik")

    def __str__(self):
        return f"{self.report} ({'PDF publik' if self.pdf_public else 'tanpa PDF'})"
