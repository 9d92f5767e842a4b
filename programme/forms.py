import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from actionplan.models import Area

from .models import AssetReportKind, TeamKind, TeamRole

ROLE_WORDS = {"pengarah": TeamRole.PENGARAH, "penanggung jawab": TeamRole.PENGARAH, "ketua": TeamRole.KETUA,
              "sekretaris": TeamRole.SEKRETARIS, "sekertaris": TeamRole.SEKRETARIS, "anggota": TeamRole.ANGGOTA,
              "koordinator": TeamRole.KOORDINATOR}
DATE = forms.DateInput(attrs={"type": "date"})
ISO = ["%Y-%m-%d"]  # what a browser's date input sends; "20-02-2019" is ambiguous elsewhere


def not_in_future(value):
    if value is not None and value > datetime.date.today():
        raise ValidationError(_("Tanggal tidak boleh di masa depan."))
    return value


def parse_member_lines(text: str) -> list[dict]:
    """One member per line: `peran; nama; NIP; jabatan` — peran is Pengarah, Ketua, Sekretaris, Anggota or
    `Koordinator I`…`Koordinator VI`; NIP and jabatan may be empty. A NIP of a portal user of the unit links
    the member to that account."""
    out, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        parts += [""] * (4 - len(parts))
        if len(parts) > 4:
            errors.append(_("Baris %(n)s: paling banyak 4 bagian dipisah titik koma.") % {"n": number})
            continue
        role_text, name, nip, position = parts
        words = role_text.lower().split()
        component = ""
        if words and words[0] == "koordinator" and len(words) >= 2:
            component = words[-1].upper().removeprefix("AREA")
            role_text = "koordinator"
        role = ROLE_WORDS.get(" ".join(role_text.lower().split()))
        if role is None:
            errors.append(_("Baris %(n)s: peran '%(r)s' tidak dikenal (Pengarah, Ketua, Sekretaris, "
                            "Koordinator I–VI, Anggota).") % {"n": number, "r": role_text[:40]})
            continue
        if role == TeamRole.KOORDINATOR and component not in Area.values:
            errors.append(_("Baris %(n)s: tulis area koordinator I–VI, mis. 'Koordinator III'.") % {"n": number})
            continue
        if not name:
            errors.append(_("Baris %(n)s: nama kosong.") % {"n": number})
            continue
        out.append({"role": role, "name": name, "nip": nip, "position": position, "component": component})
    if errors:
        raise ValidationError(errors)
    return out


class TeamForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis tim"), choices=TeamKind.choices)
    name = forms.CharField(label=_("Nama tim (untuk tim lain, mis. Tim PPID)"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    sk_number = forms.CharField(label=_("Nomor SK"), max_length=100)
    sk_date = forms.DateField(input_formats=ISO, label=_("Tanggal SK"), widget=DATE, validators=[not_in_future])
    valid_from = forms.DateField(input_formats=ISO, label=_("Berlaku mulai"), required=False, widget=DATE)
    valid_until = forms.DateField(input_formats=ISO, label=_("Berlaku sampai"), required=False, widget=DATE)
    members = forms.CharField(label=_("Anggota (satu per baris: peran; nama; NIP; jabatan)"), max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 8}))
    sk_file = forms.FileField(label=_("SK bertanda tangan (PDF/gambar)"), required=False)

    def clean_members(self):
        return parse_member_lines(self.cleaned_data["members"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == TeamKind.OTHER and not (data.get("name") or "").strip():
            self.add_error("name", _("Tulis nama tim untuk jenis 'Tim lain'."))
        return data


class PriorityTitlesForm(forms.Form):
    titles = forms.CharField(label=_("Target prioritas (satu per baris, berurutan)"), max_length=50000,
                             widget=forms.Textarea(attrs={"rows": 15}))

    def clean_titles(self):
        titles = [" ".join(t.split()) for t in self.cleaned_data["titles"].splitlines() if t.strip()]
        if not titles:
            raise ValidationError(_("Tulis minimal satu target prioritas."))
        if len(titles) > 100:
            raise ValidationError(_("Paling banyak 100 target prioritas."))
        if any(len(t) > 500 for t in titles):
            raise ValidationError(_("Satu target prioritas paling panjang 500 karakter."))
        return titles


class PriorityLinksForm(forms.Form):
    steps = forms.TypedMultipleChoiceField(label=_("Langkah aksi"), coerce=int, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, step_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].choices = [(pk, pk) for pk in step_ids]


class StaffImportForm(forms.Form):
    file = forms.FileField(label=_("Daftar pegawai (.xlsx atau .csv: NAMA, NIP, JABATAN, ESELON, GOLONGAN)"))


def _year_field():
    return forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)


class PaktaForm(forms.Form):
    year = _year_field()
    signed_on = forms.DateField(input_formats=ISO, label=_("Tanggal tanda tangan"), widget=DATE,
                                validators=[not_in_future])
    scan = forms.FileField(label=_("Pindaian pakta bertanda tangan"), required=False)


class PaktaBulkForm(PaktaForm):
    event = forms.CharField(label=_("Acara (mis. pelantikan, apel pencanangan)"), max_length=300)
    staff = forms.TypedMultipleChoiceField(label=_("Pegawai yang menandatangani"), coerce=int,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [(pk, pk) for pk in staff_ids]


class AssetReportForm(forms.Form):
    year = _year_field()
    kind = forms.ChoiceField(label=_("Jenis"), choices=AssetReportKind.choices)
    must_file = forms.BooleanField(label=_("Wajib lapor"), required=False)
    filed_on = forms.DateField(input_formats=ISO, label=_("Tanggal lapor"), required=False, widget=DATE,
                               validators=[not_in_future])
