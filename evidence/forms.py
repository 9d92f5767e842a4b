from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zi_portal.lib.forms import SubmitButton

from .models import ReviewDecision


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files under one field name (`files`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.pptx,.odt,.ods"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else single(data, initial)


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Berkas bukti fisik"),
                              help_text=_("PDF, JPEG, PNG, DOCX, XLSX, PPTX, ODT atau ODS; boleh lebih dari satu."))
    description = forms.CharField(label=_("Keterangan singkat"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    document_date = forms.DateField(label=_("Tanggal dokumen"), input_formats=["%Y-%m-%d"],
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    help_text=_("Tanggal yang tertera pada dokumen (bukan tanggal unggah)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data", "data-busy": _("Mengunggah dan memeriksa berkas…")}
        self.helper.add_input(SubmitButton("submit", _("Unggah"), css_class="btn-success"))

    def clean_document_date(self):
        value = self.cleaned_data["document_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal dokumen tidak boleh setelah hari ini."))
        return value


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Keputusan"), choices=ReviewDecision.Decision.choices,
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Wajib diisi bila perlu perbaikan."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(SubmitButton("submit", _("Simpan keputusan"), css_class="btn-primary"))

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewDecision.Decision.REVISE and not (data.get("note") or "").strip():
            self.add_error("note", _("Tuliskan catatan perbaikan untuk pengunggah."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Komentar"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page wraps it in a form posting to evidence:comment
        self.helper.add_input(SubmitButton("submit", _("Kirim komentar"), css_class="btn-outline-primary"))


class WithdrawForm(forms.Form):
    """Asked on the target page before withdrawing (the button opens it); the reason goes to the audit trail."""

    reason = forms.CharField(label=_("Alasan penarikan"), max_length=500,
                             error_messages={"required": _("tuliskan alasannya.")},
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Misalnya: salah berkas, berkas belum ditandatangani."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page wraps it in a form posting to evidence:withdraw
        self.helper.add_input(SubmitButton("submit", _("Tarik revisi"), css_class="btn-danger"))


class BundleForm(forms.Form):
    """Which part of the plan goes into the Berkas untuk TPI: every component (blank) or one."""

    component = forms.ChoiceField(label=_("Komponen"), required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].choices = [("", _("Semua komponen"))] + [
            (c.code, f"{c.code}. {c.name}") for c in plan.components.order_by("order")]
