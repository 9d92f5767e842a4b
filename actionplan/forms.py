import re

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from zi_portal.lib.forms import SubmitButton

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
