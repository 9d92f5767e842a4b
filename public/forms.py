from django import forms
from django.utils.translation import gettext_lazy as _


class PublicPageForm(forms.Form):
    enabled = forms.BooleanField(label=_("Tampilkan halaman publik"), required=False)
    slug = forms.SlugField(label=_("Alamat halaman (huruf kecil, angka, tanda hubung)"), max_length=80)
    published = forms.MultipleChoiceField(label=_("PDF laporan yang dapat diunduh publik"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published"].choices = [
            (r.verification_code, f"{r.plan.year} Semester {r.semester_roman} v{r.version} ({r.verification_code})")
            for r in reports]

    def clean_slug(self):
        return self.cleaned_data["slug"].lower()
