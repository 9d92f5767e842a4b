import re

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from zi_portal.lib.forms import SubmitButton

from .models import Role

_PK = re.compile(r"[0-9]{1,18}")


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username

    def clean(self, value):
        # Django puts the posted ids into one IN (…) query; on SQLite a 30-digit one overflows it (a 500).
        for pk in value if isinstance(value, (list, tuple)) else ():
            if not _PK.fullmatch(str(pk)):
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super().clean(value)


class AssignForm(forms.Form):
    people = PersonChoiceField(label=_("Penanggung jawab"), queryset=None, required=False,
                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, people_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people_qs
        self.helper = FormHelper()
        self.helper.add_input(SubmitButton("submit", _("Simpan"), css_class="btn-success"))


class MemberAddForm(forms.Form):
    """An existing account, by username or e-mail."""

    identifier = forms.CharField(label=_("Nama pengguna atau e-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Peran"), choices=Role.choices, initial=Role.ANGGOTA)


class MemberInviteForm(forms.Form):
    """A new account; its owner sets the password from the link in the mail."""

    full_name = forms.CharField(label=_("Nama lengkap"), max_length=300)
    username = forms.CharField(label=_("Nama pengguna"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Peran"), choices=Role.choices, initial=Role.ANGGOTA)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Peran"), choices=Role.choices)
class TargetDateForm(forms.Form):
    """The Ketua Tim's form to set, correct or confirm a target's due date, with the reason."""

    due_date = forms.DateField(label=_("Tanggal jatuh tempo"), input_formats=["%Y-%m-%d"],
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Alasan"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Misalnya: “Sesuai notulen rapat tim 12 Maret 2019” atau “Tanggal di "
                                         "rencana kerja salah ketik, seharusnya 2019”."))

    def __init__(self, *args, plan_year: int, confirming: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year
        self.helper = FormHelper()
        self.helper.add_input(SubmitButton("submit", _("Konfirmasi tanggal") if confirming else _("Simpan tanggal"),
                                           css_class="btn-success"))

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        # A plan's targets fall in its year; a year further away than its neighbours is a typo, not a decision.
        if abs(value.year - self.plan_year) > 1:
            raise forms.ValidationError(
                _("Tanggal harus di tahun %(prev)s–%(next)s (rencana kerja tahun %(year)s)."),
                params={"prev": self.plan_year - 1, "next": self.plan_year + 1, "year": self.plan_year})
        return value
