from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ELIGIBILITY_ITEMS, EligibilityStatus

NOTE_MAX = 4000


class AnswerForm(forms.Form):
    """One column's answer to one question. The fields present depend on the question's type."""

    note = forms.CharField(label=_("Catatan / penjelasan"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        if question.answer_type in ("ya_tidak", "abc", "abcd", "abcde"):
            self.fields["choice"] = forms.ChoiceField(
                label=_("Jawaban"), required=False, widget=forms.RadioSelect,
                choices=[("", _("(belum dijawab)"))] + [(k, f"{k}. {t}" if t and t != k else k)
                                                        for k, t, _v in question.choices])
        elif question.answer_type == "survey":
            self.fields["value"] = forms.DecimalField(label=_("Nilai survei (0–4)"), required=False, min_value=0,
                                                      max_value=4, max_digits=4, decimal_places=2, localize=True)
        else:
            self.fields["value"] = forms.DecimalField(
                label=_("Persentase (0–100), hanya bila jumlah tidak diisi"), required=False, min_value=0,
                max_value=100, max_digits=5, decimal_places=2, localize=True)
            for i, (code, text) in enumerate(question.counts, start=1):
                self.fields[f"count_{i}"] = forms.IntegerField(label=f"{code} — {text}", required=False,
                                                               min_value=0, max_value=10_000_000)
        self.order_fields(["choice", "value"])

    def counts(self) -> dict:
        return {code: self.cleaned_data.get(f"count_{i}") for i, (code, _t) in enumerate(self.question.counts, 1)
                if self.cleaned_data.get(f"count_{i}") is not None}


class LinkForm(forms.Form):
    revision = forms.IntegerField(label=_("Bukti fisik yang diterima"), min_value=1, max_value=2**62)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Dokumen"))
    description = forms.CharField(label=_("Keterangan"), required=False, max_length=500)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Lembar kerja LKE (.xlsx)"))


class EligibilityForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item, label in ELIGIBILITY_ITEMS:
            self.fields[f"{item}"] = forms.ChoiceField(label=label, choices=EligibilityStatus.choices,
                                                       initial=EligibilityStatus.UNKNOWN)
            self.fields[f"{item}_note"] = forms.CharField(label=_("Keterangan"), required=False, max_length=500)

    def values(self) -> dict:
        return {item: (self.cleaned_data[item], self.cleaned_data[f"{item}_note"]) for item, _l in ELIGIBILITY_ITEMS}


class LinksForm(forms.Form):
    indicators = forms.TypedMultipleChoiceField(label=_("Indikator rencana kerja"), required=False, coerce=int,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(i.pk, f"{i.subcomponent.component.code}.{i.subcomponent.number} "
                                                    f"{i.text[:90]}") for i in indicators]


class StepForm(forms.Form):
    description = forms.CharField(label=_("Langkah aksi"), max_length=2000)
    evidence_required = forms.CharField(label=_("Bukti fisik"), max_length=2000)
    due_date = forms.DateField(label=_("Target waktu"), input_formats=["%Y-%m-%d"],
                               widget=forms.DateInput(attrs={"type": "date"}))
