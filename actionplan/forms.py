from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AssignForm(forms.Form):
    people = PersonChoiceField(label=_("Penanggung jawab"), queryset=None, required=False,
                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, people_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people_qs
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Simpan"), css_class="btn-success"))
