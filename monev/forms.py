from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from .models import FollowUp


class ReportForm(forms.Form):
    """The Ketua Tim's part of a report: number, conclusions, recommendations (one per line) and the follow-up
    status of each recommendation of the previous semester."""

    number = forms.CharField(label=_("Nomor laporan"), max_length=100)
    conclusions = forms.CharField(label=_("Simpulan"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(label=_("Rekomendasi / tindak lanjut (satu per baris)"), required=False,
                                      max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, report, **kwargs):
        initial = {"number": report.number, "conclusions": report.conclusions,
                   "recommendations": "\n".join(r.text for r in report.recommendations.all())}
        super().__init__(*args, initial=initial, **kwargs)
        self.followups = list(report.followups.all())
        for f in self.followups:
            self.fields[f"followup_{f.pk}"] = forms.ChoiceField(label=f.recommendation.text,
                                                                choices=FollowUp.Status.choices, initial=f.status)
            self.fields[f"followup_note_{f.pk}"] = forms.CharField(label=_("Keterangan"), required=False,
                                                                   max_length=1000, initial=f.note)

    def followup_fields(self):
        return [(self[f"followup_{f.pk}"], self[f"followup_note_{f.pk}"]) for f in self.followups]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"number": data["number"], "conclusions": data["conclusions"],
                "recommendations": [line for line in data["recommendations"].splitlines() if line.strip()],
                "followups": {f.pk: (data[f"followup_{f.pk}"], data[f"followup_note_{f.pk}"])
                              for f in self.followups}}


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Berkas PDF yang ingin dicocokkan"))


class SignConfirmForm(forms.Form):
    """The Kepala Dinas types their password again before signing: a session left open on a desk cannot sign.
    Checked through `authenticate()` with the request, so a wrong password counts towards the login lockout
    (django-axes) like a failed login."""

    password = forms.CharField(label=_("Kata sandi Anda"), max_length=4096, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               error_messages={"required": _("Masukkan kata sandi Anda untuk menandatangani.")})

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        again = None if "\x00" in password else authenticate(self.request, username=user.get_username(),
                                                             password=password)
        if again is None or again.pk != user.pk:
            raise forms.ValidationError(_("Kata sandi salah; laporan tidak ditandatangani."))
        return password
