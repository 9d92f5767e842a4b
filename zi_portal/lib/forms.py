"""Form helpers shared by the apps."""
from crispy_forms.layout import Submit


class SubmitButton(Submit):
    """crispy-forms' Submit with only the colour it is given.

    crispy's own Submit always carries `btn btn-primary` and appends `css_class`, so `css_class="btn-outline-primary"`
    became `btn btn-primary btn-outline-primary`: the outline variant sets the text colour to blue and leaves the
    primary variant's blue background — "Kirim komentar" was blue on blue. Here the classes are `btn` plus the one
    variant asked for (default `btn-primary`)."""

    field_classes = "btn"

    def __init__(self, name, value, *, css_class="btn-primary", **kwargs):
        super().__init__(name, value, css_class=css_class, **kwargs)
