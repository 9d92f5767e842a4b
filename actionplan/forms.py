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
