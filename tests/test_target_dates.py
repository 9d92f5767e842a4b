"""Reading the free "target waktu" text of a ZI work plan into due dates (actionplan/target_dates.py)."""
import calendar
import datetime
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

from actionplan.target_dates import ParsedTarget, parse_target_text, semester_of

D = datetime.date
YEAR = 2019
SEMESTER_ENDS = (D(2019, 6, 30), D(2019, 12, 31))
QUARTER_ENDS = (D(2019, 3, 31), D(2019, 6, 30), D(2019, 9, 30), D(2019, 12, 31))
MONTH_ENDS = tuple(D(2019, m, calendar.monthrange(2019, m)[1]) for m in range(1, 13))


def parse(text: str) -> ParsedTarget:
    return parse_target_text(text, YEAR)


# Texts read cleanly: exactly these dates, no warning, no note, nothing to review.
CLEAN = [
    # the table of the brief
    ("Pebruari 2019", (D(2019, 2, 28),)),
    ("Juli, Desember 2019", (D(2019, 7, 31), D(2019, 12, 31))),
    ("Juni, Desember", SEMESTER_ENDS),
    ("Januari, desember 2019", (D(2019, 1, 31), D(2019, 12, 31))),
    ("Januari s/d Desember 2019", SEMESTER_ENDS),
    ("Januari 2019 s/d Desember 2019", SEMESTER_ENDS),
    ("Januari 2019 s.d. Desember 2019", SEMESTER_ENDS),
    ("Februari s/d Maret 2019", (D(2019, 3, 31),)),
    ("02 Januari 2019", (D(2019, 1, 2),)),
    ("Setiap bulan", MONTH_ENDS),
    ("Adanya undangan Workshop penyusunan LAKIN setiap tahunnya (2 kali)", SEMESTER_ENDS),
    ("Renstra 2019-2024 RKT Bln Februari 2019, PK Januari 2019", (D(2019, 1, 31), D(2019, 2, 28))),
    # month spellings, any case
    ("Jan 2019", (D(2019, 1, 31),)),
    ("FEBRUARI 2019", (D(2019, 2, 28),)),
    ("Febuari 2019", (D(2019, 2, 28),)),
    ("Peb 2019", (D(2019, 2, 28),)),
    ("Mar 2019", (D(2019, 3, 31),)),
    ("Apr 2019", (D(2019, 4, 30),)),
    ("mei 2019", (D(2019, 5, 31),)),
    ("Jun 2019, Jul 2019", (D(2019, 6, 30), D(2019, 7, 31))),
    ("Agu 2019", (D(2019, 8, 31),)),
    ("Agt 2019", (D(2019, 8, 31),)),
    ("Ags 2019", (D(2019, 8, 31),)),
    ("Aug 2019", (D(2019, 8, 31),)),
    ("Sep 2019", (D(2019, 9, 30),)),
    ("Sept 2019", (D(2019, 9, 30),)),
    ("Okt 2019", (D(2019, 10, 31),)),
    ("Oct 2019", (D(2019, 10, 31),)),
    ("Nopember 2019", (D(2019, 11, 30),)),
    ("Nop 2019", (D(2019, 11, 30),)),
    ("Nov 2019", (D(2019, 11, 30),)),
    ("Des 2019", (D(2019, 12, 31),)),
    ("Dec 2019", (D(2019, 12, 31),)),
    # "bulan"/"Bln"/"tahun" are noise around a month or a year
    ("Bulan Maret tahun 2019", (D(2019, 3, 31),)),
    ("Juni dan Desember tahun 2019", SEMESTER_ENDS),
    ("Juni, Desember, 2019", SEMESTER_ENDS),
    # range connectors
    ("Januari - Desember 2019", SEMESTER_ENDS),
    ("Januari – Desember 2019", SEMESTER_ENDS),
    ("Jan-Des 2019", SEMESTER_ENDS),
    ("Januari sd Desember 2019", SEMESTER_ENDS),
    ("Januari s.d Desember 2019", SEMESTER_ENDS),
    ("Januari sampai Desember 2019", SEMESTER_ENDS),
    ("Januari sampai dengan Maret 2019", (D(2019, 3, 31),)),
    ("januari hingga april 2019", (D(2019, 4, 30),)),
    ("Maret s/d Agustus 2019", (D(2019, 6, 30), D(2019, 8, 31))),
    ("1 Januari s/d 15 Agustus 2019", (D(2019, 6, 30), D(2019, 8, 15))),
    # exact dates
    ("2 Jan 2019", (D(2019, 1, 2),)),
    ("02-01-2019", (D(2019, 1, 2),)),
    ("02/01/2019", (D(2019, 1, 2),)),
    ("2019-01-02", (D(2019, 1, 2),)),
    ("paling lambat tanggal 15 Juli 2019", (D(2019, 7, 15),)),
    ("per 31 Desember 2019", (D(2019, 12, 31),)),
    # quarters
    ("per triwulan", QUARTER_ENDS),
    ("setiap triwulan", QUARTER_ENDS),
    ("Triwulanan", QUARTER_ENDS),
    ("tiap 3 bulan", QUARTER_ENDS),
    ("3 bulan sekali", QUARTER_ENDS),
    ("4 kali setahun", QUARTER_ENDS),
    ("triwulan I", (D(2019, 3, 31),)),
    ("Triwulan II 2019", (D(2019, 6, 30),)),
    ("TW III", (D(2019, 9, 30),)),
    ("TW IV 2019", (D(2019, 12, 31),)),
    ("triwulan ke-2", (D(2019, 6, 30),)),
    ("Triwulan I dan III", (D(2019, 3, 31), D(2019, 9, 30))),
    # semesters
    ("per semester", SEMESTER_ENDS),
    ("setiap semester", SEMESTER_ENDS),
    ("setiap 6 bulan", SEMESTER_ENDS),
    ("enam bulan sekali", SEMESTER_ENDS),
    ("2 kali setahun", SEMESTER_ENDS),
    ("semester I", (D(2019, 6, 30),)),
    ("Semester II 2019", (D(2019, 12, 31),)),
    ("semester 1", (D(2019, 6, 30),)),
    ("semester 2", (D(2019, 12, 31),)),
    ("Semester I/II", SEMESTER_ENDS),
    # years and months as frequencies
    ("setiap tahun", (D(2019, 12, 31),)),
    ("tahunan", (D(2019, 12, 31),)),
    ("sekali setahun", (D(2019, 12, 31),)),
    ("per tahun", (D(2019, 12, 31),)),
    ("tiap bulan", MONTH_ENDS),
    ("Bulanan", MONTH_ENDS),
    ("per bulan", MONTH_ENDS),
    ("setiap bulan Februari", (D(2019, 2, 28),)),
    # a frequency inside a period applies to that period
    ("Januari s/d Juni 2019 setiap bulan", MONTH_ENDS[:6]),
    ("Januari s/d Desember 2019 per triwulan", QUARTER_ENDS),
]


@pytest.mark.parametrize("text, expected", CLEAN, ids=[text for text, _ in CLEAN])
def test_clean_text_gives_exactly_these_due_dates(text, expected):
    result = parse(text)
    assert result.dates == expected
    assert result.warnings == ()
    assert result.notes == ()
    assert result.review is None
    assert not result.needs_review


def test_leap_year_february_ends_on_the_29th():
    result = parse_target_text("Februari 2020", 2020)
    assert result.dates == (D(2020, 2, 29),)
    assert result.warnings == ()


# Dates outside the plan year are kept, each with a warning naming the plan year.
OUTSIDE_PLAN_YEAR = [
    ("Feb-17", (D(2017, 2, 28),)),
    ("Januari s/d Desember 2017", (D(2017, 6, 30), D(2017, 12, 31))),
    ("Januari 2017", (D(2017, 1, 31),)),
    ("Des-18", (D(2018, 12, 31),)),
    ("Oktober 2019 s/d Maret 2020", (D(2019, 12, 31), D(2020, 3, 31))),
    ("Oktober s/d Maret 2020", (D(2019, 12, 31), D(2020, 3, 31))),
    ("Februari 2020", (D(2020, 2, 29),)),
    ("setiap tahun 2020", (D(2020, 12, 31),)),
]


@pytest.mark.parametrize("text, expected", OUTSIDE_PLAN_YEAR, ids=[text for text, _ in OUTSIDE_PLAN_YEAR])
def test_date_outside_plan_year_is_kept_with_a_warning(text, expected):
    result = parse(text)
    assert result.dates == expected
    assert result.review is None
    outside = [d for d in expected if d.year != YEAR]
    assert len(result.warnings) == len(outside)
    for d, warning in zip(outside, result.warnings, strict=True):
        assert f"Tanggal {d.isoformat()} di luar tahun rencana 2019" in warning


def test_outside_year_warning_is_the_indonesian_message():
    assert parse("Feb-17").warnings == ("Tanggal 2017-02-28 di luar tahun rencana 2019 (mungkin salah ketik)",)


@pytest.mark.parametrize("text, expected, note", [
    ("Januari 2019, setiap ada pertemuan", (D(2019, 1, 31),), "per kejadian: setiap ada pertemuan"),
    ("Agustus 2019 apabila ada perubahan", (D(2019, 8, 31),), "per kejadian: apabila ada perubahan"),
    ("setiap bulan, jika ada kegiatan", MONTH_ENDS, "per kejadian: jika ada kegiatan"),
])
def test_event_part_next_to_a_date_becomes_a_note_not_a_review(text, expected, note):
    result = parse(text)
    assert result.dates == expected
    assert result.notes == (note,)
    assert result.warnings == ()
    assert result.review is None


REVIEW = [
    "Dokumen Petunjuk direvisi apabila ada perubahan kebijakan",
    "secara berkala",
    "sewaktu-waktu",
    "Menyesuaikan",
    "jika ada",
    "setiap kali ada kegiatan",
    "setiap ada pertemuan",
    "Sesuai kebutuhan",
    "Laporan kegiatan",
    "Renstra 2019-2024",
    "31/02/2019",
    "Agustsu 2019",
]


@pytest.mark.parametrize("text", REVIEW)
def test_text_without_any_date_needs_review(text):
    result = parse(text)
    assert result.dates == ()
    assert result.needs_review
    assert result.review


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_target_needs_review_as_empty(text):
    assert parse(text) == ParsedTarget((), (), (), "target waktu kosong")


def test_event_only_review_reason_quotes_the_event():
    result = parse("Dokumen Petunjuk direvisi apabila ada perubahan kebijakan")
    assert "apabila ada perubahan kebijakan" in result.review
    assert result.notes == ("per kejadian: apabila ada perubahan kebijakan",)


def test_vague_only_review_keeps_the_whole_phrase():
    assert "secara berkala" in parse("secara berkala").review


@pytest.mark.parametrize("text", ["2019", "Tahun 2019"])
def test_bare_year_means_its_last_day_with_a_note(text):
    result = parse(text)
    assert result.dates == (D(2019, 12, 31),)
    assert result.notes == ("tahun 2019 tanpa bulan: dianggap akhir tahun (2019-12-31)",)
    assert result.review is None


def test_multi_year_document_period_is_not_a_deadline():
    assert parse("Renstra 2019-2024, RKT Maret 2019").dates == (D(2019, 3, 31),)
    assert parse("Renstra 2019 s/d 2024, RKT Maret 2019").dates == (D(2019, 3, 31),)


@pytest.mark.parametrize("text, expected, fragment", [
    ("Januari 2019 (45 hari)", (D(2019, 1, 31),), "45 hari"),
    ("Juni 2019, 99 Juli 2019", (D(2019, 6, 30), D(2019, 7, 31)), "99"),
    ("Maret 2019 2 kali", (D(2019, 3, 31),), "2 kali"),
    ("Desemebr 2019, Juni 2019", (D(2019, 6, 30),), "Desemebr 2019"),
])
def test_leftover_meaningful_part_keeps_dates_and_warns(text, expected, fragment):
    result = parse(text)
    assert result.dates == expected
    assert result.review is None
    assert any(f"'{fragment}'" in w and "tidak dipahami" in w for w in result.warnings)


def test_misspelled_month_warning_suggests_the_month():
    assert any("desember" in w for w in parse("Desemebr 2019, Juni 2019").warnings)


def test_inverted_range_is_read_forwards_with_a_warning():
    result = parse("Desember 2019 s/d Januari 2019")
    assert result.dates == SEMESTER_ENDS
    assert any("terbalik" in w for w in result.warnings)


def test_month_without_year_takes_the_nearest_following_year_else_the_previous():
    assert parse("Juli, Desember 2018").dates == (D(2018, 7, 31), D(2018, 12, 31))
    assert parse("Juli 2018, Desember").dates == (D(2018, 7, 31), D(2018, 12, 31))


@pytest.mark.parametrize("text", [
    "!!!", "12345", "s/d", "-", "Feb-", "—", "0 Januari", "2 kali", "semester 3", "31 Februari 2019",
    "2019-13-45", "s/d Desember s/d", "setiap setiap setiap", "🙂 Désembre 2019 İ", "1/1/1", "9" * 40,
    "tiap 0 bulan", "2 kali sebulan", "setiap 24 bulan", "triwulan I s/d triwulan", "(((", "Januari " * 200,
])
def test_garbage_never_raises_and_is_consistent(text):
    result = parse(text)
    assert isinstance(result, ParsedTarget)
    assert list(result.dates) == sorted(set(result.dates))
    assert result.needs_review == (not result.dates)


def test_invalid_plan_year_needs_review_instead_of_raising():
    assert parse_target_text("Januari", 0).needs_review


@pytest.mark.parametrize("d, expected", [
    (D(2019, 1, 1), 1), (D(2019, 6, 30), 1), (D(2019, 7, 1), 2), (D(2019, 12, 31), 2),
])
def test_semester_of_splits_the_year_at_june(d, expected):
    assert semester_of(d) == expected


def test_module_imports_without_django():
    code = "import sys, actionplan.target_dates; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, check=True)


def test_command_prints_dates_then_notes_warnings_and_review(settings):
    """Needs Django settings only (no database): the `settings` fixture."""
    from django.core.management import call_command

    out = StringIO()
    call_command("target_dates", "Feb-17, setiap ada pertemuan", year=2019, stdout=out)
    assert out.getvalue().splitlines() == [
        "2017-02-28",
        "NOTE: per kejadian: setiap ada pertemuan",
        "WARNING: Tanggal 2017-02-28 di luar tahun rencana 2019 (mungkin salah ketik)",
    ]
    out = StringIO()
    call_command("target_dates", "secara berkala", year=2019, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "NOTE: per kejadian: secara berkala"
    assert lines[-1].startswith("REVIEW: ")
