"""Turn the free Indonesian "target waktu" text of a ZI work plan into due dates.

Pure Python (stdlib only): importable without Django.

Grammar
-------
The lower-cased text is split into tokens:

    MONTH     januari/jan, pebruari/feb/peb, agt/ags/aug, nopember/nop, des/dec ...  (1..12)
    DATE      02-01-2019, 02/01/19, 02.01.2019 (day first), 2019-01-02 (ISO)
    YEAR      four digits 1900-2099          YEARSPAN  2019-2024 (a document period)
    NUM       any other number: a day, a count, a two-digit year after "Mon-"
    RANGE     s/d, s.d., sd, sampai (dengan), hingga
    DASH      - – —  (a range between months, or the spreadsheet "Feb-17" = Mon-YY)
    SEP       , ; / & + dan serta atau
    TIMES     "2 kali", "2x", "dua kali", "sekali"
    UNIT      bulan/bln, tahun/thn, triwulan/tw/kuartal, semester/smt (also "-nya");
              bulanan, sebulan, tahunan, setahun, triwulanan, semesteran already mean "every"
    COUNT     satu .. enam                   MARKER    setiap, tiap, per
    EVENT     apabila, bila, jika, sewaktu(-waktu), berkala, menyesuaikan, sesuai, insidental ...
    NOISE     akhir, awal, tanggal, pada, dalam, ke, paling lambat ... (skipped inside phrases)
    UNKNOWN   time words not resolved (hari, minggu, pekan) and near-misses of month names
    LABEL     any other word (document names, descriptions): ignored

The parser walks the tokens left to right and builds expressions:

    point    := DATE | [NUM (NOISE|DASH)*] MONTH [filler* YEAR | DASH YEAR | DASH NUM2]
    range    := point (RANGE | DASH) point
    period   := UNIT(triwulan|semester) ORDINAL (SEP ORDINAL)* [YEAR]    "triwulan I dan II 2019"
    freq     := [TIMES] [MARKER] [COUNT] UNIT [TIMES]        "tiap 3 bulan", "2 kali setahun"
    yearspan := YEARSPAN | YEAR (RANGE|DASH) YEAR            not a deadline: dropped
    year     := YEAR                                         a bare year
    event    := (EVENT | MARKER LABEL) ... up to the next SEP or date word

Decisions
---------
* A month means its last day; an exact date is itself; a specific triwulan/semester is its last day.
* A point without a year takes the nearest explicit year to its right ("Juli, Desember 2019"),
  else to its left, else the plan year. A range's start takes the end's year (minus one when the
  months wrap, "Oktober s/d Maret 2020"); a range with no year at all ends in that context year.
* A range is due at every cut-off inside it and at its end. The cut-offs are the semester ends
  (30 Jun, 31 Dec) unless the text also names a frequency, which then applies inside the range.
* A frequency is a step in months (unit × count ÷ times): 1 monthly, 3 quarterly, 6 semesterly,
  12 yearly; due at the month-ends whose month is a multiple of the step, in the bare years of
  the text or else the plan year. "setiap tahunnya (2 kali)" = 12 ÷ 2 = every 6 months.
* A bare year (not used as the year of a month or a frequency) means 31 Dec, with a note.
* Event phrases become notes ("per kejadian: ..."); with no date at all they need review.
* Any date outside the plan year is kept with a warning. Leftover numbers, connectors and time
  words that fit no expression give a warning when other dates exist, else a review reason.
  A near-miss month name ("Desemebr 2019") takes its year along into that leftover part, so a
  typo never turns into a bare-year 31 Dec.
"""
from __future__ import annotations

import calendar
import datetime
import difflib
import re
from dataclasses import dataclass

_MONTH_SPELLINGS = [
    "januari jan january", "februari pebruari febuari feb peb february", "maret mar march",
    "april apr", "mei may", "juni jun june", "juli jul july", "agustus agu agt ags agst aug august",
    "september sep sept", "oktober okt oct october", "november nopember nov nop",
    "desember des dec december",
]
MONTHS = {name: n for n, names in enumerate(_MONTH_SPELLINGS, 1) for name in names.split()}
_FULL_MONTHS = [names.split()[0] for names in _MONTH_SPELLINGS]
UNITS = {"bulan": ("bulan", 1), "bln": ("bulan", 1), "tahun": ("tahun", 12), "thn": ("tahun", 12),
         "triwulan": ("triwulan", 3), "tw": ("triwulan", 3), "trw": ("triwulan", 3),
         "kuartal": ("triwulan", 3), "semester": ("semester", 6), "smt": ("semester", 6)}
EVERY_UNITS = {"bulanan": "bulan", "sebulan": "bulan", "tahunan": "tahun", "setahun": "tahun",
               "triwulanan": "triwulan", "semesteran": "semester"}
COUNTS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6}
ORDINALS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4}
MARKERS = {"setiap", "tiap", "per"}
EVENTS = {"apabila", "bila", "jika", "jikalau", "kalau", "manakala", "ketika", "sewaktu", "berkala",
          "menyesuaikan", "disesuaikan", "sesuai", "insidental", "insidentil", "kondisional",
          "situasional", "tentatif"}
NOISE = {"akhir", "awal", "pertengahan", "tanggal", "tgl", "pada", "di", "dalam", "ke", "yang", "paling",
         "lambat", "selambat", "lambatnya", "selambatnya", "mulai", "waktu"}
UNKNOWN_WORDS = {"hari", "minggu", "pekan"}
_PERIOD_UNITS = {"triwulan": 4, "semester": 2}          # unit -> number of periods in a year
_LEFTOVER = {"NUM", "TIMES", "RANGE", "UNKNOWN", "BAD"}
_EVENT_STOP = {"SEP", "RANGE", "MONTH", "YEAR", "DATE", "YEARSPAN", "UNIT", "MARKER", "TIMES"}

_TOKEN_RE = re.compile(r"""
    (?P<iso>(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d))
  | (?P<numdate>(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d))
  | (?P<yearspan>(?<!\d)(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d(?!\d))
  | (?P<range>\bs\s*[/.]\s*d\b\.?|\bsd\b|\bsampai(?:\s+dengan)?\b|\bhingga\b)
  | (?P<times>(?:(?<!\d)\d{1,2}|\b(?:satu|dua|tiga|empat|lima|enam))\s*(?:kali|x)\b|\bsekali\b)
  | (?P<dash>[-–—])
  | (?P<sep>[,;/&+]|\b(?:dan|serta|atau)\b)
  | (?P<num>\d+)
  | (?P<word>[a-z]+)
""", re.VERBOSE)


@dataclass(frozen=True)
class ParsedTarget:
    """Due dates read from one text; `review` is the reason a person must decide (None when not)."""

    dates: tuple[datetime.date, ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    review: str | None

    @property
    def needs_review(self) -> bool:
        return self.review is not None


def semester_of(d: datetime.date) -> int:
    """1 for January-June, 2 for July-December."""
    return 1 if d.month <= 6 else 2


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class _Tok:
    kind: str
    value: object
    start: int
    end: int
    text: str


@dataclass
class _Point:
    month: int
    day: int | None = None
    year: int | None = None


@dataclass
class _Item:
    kind: str                      # "point" | "range" | "year"
    start: int                     # token index, for the nearest-year rule
    a: _Point | None = None
    b: _Point | None = None
    year: int | None = None
    used: bool = False

    @property
    def explicit_year(self) -> int | None:
        if self.kind == "year":
            return self.year
        return (self.b and self.b.year) or self.a.year


def _date_or_none(y: int, m: int, d: int) -> datetime.date | None:
    try:
        return datetime.date(y, m, d) if 1900 <= y <= 2099 else None
    except ValueError:
        return None


def _word(w: str) -> tuple[str, object]:
    base = w[:-3] if w.endswith("nya") and w[:-3] in UNITS else w
    if w in MONTHS:
        return "MONTH", MONTHS[w]
    if base in UNITS:
        return "UNIT", (*UNITS[base], False)
    if w in EVERY_UNITS:
        return "UNIT", (EVERY_UNITS[w], UNITS[EVERY_UNITS[w]][1], True)
    for kind, words in (("COUNT", COUNTS), ("MARKER", MARKERS), ("EVENT", EVENTS), ("NOISE", NOISE)):
        if w in words:
            return kind, COUNTS.get(w)
    if w in UNKNOWN_WORDS:
        return "UNKNOWN", None
    if len(w) >= 5 and (near := difflib.get_close_matches(w, _FULL_MONTHS, 1, 0.8)):
        return "UNKNOWN", near[0]
    return "LABEL", None


def _tokenize(text: str) -> list[_Tok]:
    low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)   # keep offsets aligned
    toks = []
    for m in _TOKEN_RE.finditer(low):
        kind, s, value = m.lastgroup, m.group(), None
        if kind in ("iso", "numdate"):
            p = [int(x) for x in re.split(r"[/.-]", s)]
            y, mo, d = p if kind == "iso" else (p[2] + (2000 if p[2] < 100 else 0), p[1], p[0])
            value = _date_or_none(y, mo, d)
            kind = "DATE" if value else "BAD"
        elif kind == "times":
            n = re.match(r"\d+|sekali|satu|dua|tiga|empat|lima|enam", s).group()
            kind, value = "TIMES", 1 if n == "sekali" else int(n) if n.isdigit() else COUNTS[n]
        elif kind == "num":
            kind = "YEAR" if len(s) == 4 and 1900 <= int(s) <= 2099 else "NUM"
            value = int(s)
        elif kind == "word":
            kind, value = _word(s)
        else:
            kind = kind.upper()
        toks.append(_Tok(kind, value, m.start(), m.end(), text[m.start():m.end()]))
    return toks


class _Parser:
    def __init__(self, text: str, toks: list[_Tok], plan_year: int):
        self.text, self.toks, self.plan_year = text, toks, plan_year
        self.items: list[_Item] = []
        self.steps: list[int] = []
        self.events: list[str] = []
        self.leftover: list[int] = []
        self.warnings: list[str] = []

    # -- helpers -------------------------------------------------------------
    def kind(self, i: int) -> str | None:
        return self.toks[i].kind if 0 <= i < len(self.toks) else None

    def skip(self, i: int, kinds=("NOISE",)) -> int:
        while self.kind(i) in kinds:
            i += 1
        return i

    def span(self, i: int, j: int) -> str:
        return self.text[self.toks[i].start:self.toks[j - 1].end]

    def number(self, i: int, limit: int, ordinal: bool = False) -> int | None:
        t = self.toks[i] if self.kind(i) else None
        if t is None:
            return None
        n = (t.value if t.kind == "COUNT" else int(t.text) if t.kind == "NUM" and len(t.text) <= 2
             else ORDINALS.get(t.text.lower()) if ordinal and t.kind == "LABEL" else None)
        return n if n and 1 <= n <= limit else None

    # -- rules: each returns the index after what it consumed, or None ----------
    def with_year(self, p: _Point, i: int) -> tuple[_Point, int]:
        k = i
        while self.kind(k) == "NOISE" or (self.kind(k) == "UNIT" and self.toks[k].value[0] == "tahun"
                                          and not self.toks[k].value[2]):
            k += 1
        if self.kind(k) == "YEAR":
            p.year = self.toks[k].value
            return p, k + 1
        if self.kind(i) == "DASH" and self.kind(i + 1) == "YEAR":
            p.year = self.toks[i + 1].value
            return p, i + 2
        if (self.kind(i) == "DASH" and self.kind(i + 1) == "NUM" and len(self.toks[i + 1].text) == 2
                and self.kind(self.skip(i + 2)) != "MONTH"):
            p.year = 2000 + self.toks[i + 1].value          # "Feb-17": a spreadsheet's Mon-YY
            return p, i + 2
        return p, i

    def point(self, i: int) -> tuple[_Point, int] | None:
        t = self.toks[i] if self.kind(i) else None
        if t is None:
            return None
        if t.kind == "DATE":
            return _Point(t.value.month, t.value.day, t.value.year), i + 1
        if t.kind == "NUM" and self.number(i, 31):
            k = self.skip(i + 1, ("NOISE", "DASH"))
            if self.kind(k) == "MONTH":
                return self.with_year(_Point(self.toks[k].value, t.value), k + 1)
        if t.kind == "MONTH":
            return self.with_year(_Point(t.value), i + 1)
        return None

    def point_or_range(self, i: int) -> int | None:
        first = self.point(i)
        if not first:
            return None
        a, j = first
        k = self.skip(j)
        if self.kind(k) in ("RANGE", "DASH") and (second := self.point(self.skip(k + 1))):
            self.items.append(_Item("range", i, a, second[0]))
            return second[1]
        self.items.append(_Item("point", i, a))
        return j

    def period(self, i: int) -> int | None:
        t = self.toks[i]
        if t.kind != "UNIT" or t.value[0] not in _PERIOD_UNITS or t.value[2]:
            return None
        limit, found, k, end = _PERIOD_UNITS[t.value[0]], [], self.skip(i + 1, ("NOISE", "DASH")), None
        while (n := self.number(k, limit, ordinal=True)):
            found, end = found + [n], k + 1
            k = self.skip(end)
            if self.kind(k) != "SEP" or not self.number(self.skip(k + 1), limit, ordinal=True):
                break
            k = self.skip(k + 1)
        if not found:
            return None
        shared, j = self.with_year(_Point(0), end)
        for n in found:
            self.items.append(_Item("point", i, _Point(n * t.value[1], None, shared.year)))
        return j

    def freq(self, i: int) -> int | None:
        k, times, marker, count = i, None, False, 1
        if self.kind(k) == "TIMES":
            times, k = self.toks[k].value, self.skip(k + 1)
        if self.kind(k) == "MARKER":
            marker, k = True, self.skip(k + 1, ("NOISE", "DASH", "MARKER"))
        if (c := self.number(k, 99)) and self.kind(self.skip(k + 1)) == "UNIT":
            count, k = c, self.skip(k + 1)
        if self.kind(k) != "UNIT":
            return None
        name, months, every = self.toks[k].value
        after = self.skip(k + 1, ("NOISE", "DASH"))
        if name in _PERIOD_UNITS and not every and self.number(after, _PERIOD_UNITS[name], ordinal=True):
            return None                                     # "semester II": a period, not a frequency
        if name == "bulan" and not every and self.kind(self.skip(k + 1)) == "MONTH":
            return None                                     # "(setiap) bulan Februari": just the month
        end, m = k + 1, self.skip(k + 1)
        if times is None and self.kind(m) == "TIMES":
            times, end = self.toks[m].value, m + 1
        if not (marker or every or times or name in _PERIOD_UNITS):
            return None                                     # "bulan"/"tahun" as a plain word
        step = months * count / (times or 1)
        if step != int(step) or step < 1:
            self.warnings.append(f"Frekuensi '{self.span(i, end)}' tidak dipahami; dianggap bulanan")
            step = 1
        elif step > 12:
            self.warnings.append(f"Frekuensi '{self.span(i, end)}' lebih jarang dari setahun; "
                                 "dianggap akhir tahun")
            step = 12
        self.steps.append(int(step))
        return end

    def year(self, i: int) -> int | None:
        if self.kind(i) == "YEARSPAN":
            return i + 1
        if self.kind(i) != "YEAR":
            return None
        k = self.skip(i + 1)
        if self.kind(k) in ("RANGE", "DASH") and self.kind(self.skip(k + 1)) == "YEAR":
            return self.skip(k + 1) + 1                     # "2019 s/d 2024": a document period
        self.items.append(_Item("year", i, year=self.toks[i].value))
        return i + 1

    def event(self, i: int) -> int | None:
        if self.kind(i) == "MARKER":
            if self.kind(self.skip(i + 1)) not in ("LABEL", "EVENT"):
                return None                                 # "per 31 Desember": just a date
        elif self.kind(i) != "EVENT":
            return None
        j = i + 1
        if i > 0 and self.toks[i - 1].text.lower() in ("secara", "bersifat"):
            i -= 1                                          # "secara berkala": keep the whole phrase
        while self.kind(j) and self.kind(j) not in _EVENT_STOP:
            j += 1
        self.events.append(self.span(i, j))
        return j

    # -- driver ------------------------------------------------------------------
    def parse(self) -> None:
        i = 0
        while i < len(self.toks):
            for rule in (self.period, self.freq, self.point_or_range, self.year, self.event):
                if (j := rule(i)) is not None:
                    i = j
                    break
            else:
                if self.kind(i) in _LEFTOVER:
                    self.leftover.append(i)
                if self.kind(i) == "UNKNOWN" and self.toks[i].value and self.kind(i + 1) == "YEAR":
                    self.leftover.append(i + 1)             # "Agustsu 2019": the year belongs to the typo
                    i += 1
                i += 1

    def context_year(self, item: _Item) -> int:
        sources = [s for s in self.items if s is not item and s.explicit_year is not None]
        after = [s for s in sources if s.start > item.start]
        before = [s for s in sources if s.start < item.start]
        src = after[0] if after else before[-1] if before else None
        if src is None:
            return self.plan_year
        src.used = src.used or src.kind == "year"
        return src.explicit_year

    def cutoffs(self, start: datetime.date, end: datetime.date, steps: list[int]) -> set[datetime.date]:
        out, y, m = set(), start.year, start.month
        while (y, m) <= (end.year, end.month):
            if any(m % s == 0 for s in steps) and start <= _month_end(y, m) <= end:
                out.add(_month_end(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def dates(self) -> tuple[set[datetime.date], list[str]]:
        dates, notes = set(), []
        for it in self.items:
            if it.kind == "point":
                y = it.a.year or self.context_year(it)
                d = (_date_or_none(y, it.a.month, it.a.day) if it.a.day
                     else _month_end(y, it.a.month) if 1900 <= y <= 2099 else None)
                if d:
                    dates.add(d)
                else:
                    self.warnings.append(f"Tanggal {it.a.day} bulan {it.a.month} tahun {y} tidak valid")
            elif it.kind == "range":
                a, b = it.a, it.b
                if a.year is None and b.year is None:
                    b.year = self.context_year(it)
                a_key, b_key = (a.month, a.day or 0), (b.month, b.day or 32)
                b.year = b.year or a.year + (a_key > b_key)
                a.year = a.year or b.year - (a_key > b_key)
                firsts = [_date_or_none(p.year, p.month, p.day or 1) for p in (a, b)]
                lasts = [_date_or_none(p.year, p.month, p.day) if p.day else _month_end(p.year, p.month)
                         for p in (a, b)]
                if None in firsts + lasts:
                    self.warnings.append("Rentang tanggal tidak valid")
                    continue
                if firsts[0] > firsts[1]:
                    self.warnings.append(f"Rentang {firsts[0]} s/d {lasts[1]} terbalik; dibaca dari yang lebih awal")
                start, end = min(firsts), max(lasts)
                dates |= self.cutoffs(start, end, self.steps or [6]) | {end}
        bare = [it.year for it in self.items if it.kind == "year" and not it.used]
        if self.steps and not any(it.kind == "range" for it in self.items):
            for y in bare or [self.plan_year]:
                dates |= self.cutoffs(datetime.date(y, 1, 1), datetime.date(y, 12, 31), self.steps)
            bare = []
        for y in dict.fromkeys(bare):
            dates.add(datetime.date(y, 12, 31))
            notes.append(f"tahun {y} tanpa bulan: dianggap akhir tahun ({y}-12-31)")
        return dates, notes

    def leftover_fragments(self) -> list[str]:
        groups: list[list[int]] = []
        for k in self.leftover:
            if groups and groups[-1][-1] == k - 1:
                groups[-1].append(k)
            else:
                groups.append([k])
        out = []
        for g in groups:
            hints = [self.toks[k].value for k in g if self.toks[k].kind == "UNKNOWN" and self.toks[k].value]
            hint = f" (mungkin maksudnya '{', '.join(hints)}')" if hints else ""
            out.append(f"'{self.span(g[0], g[-1] + 1)}'{hint}")
        return out


def parse_target_text(text: str, plan_year: int) -> ParsedTarget:
    """Parse one "target waktu" cell; see the module docstring for the grammar and decisions."""
    text = text if isinstance(text, str) else ""
    if not text.strip():
        return ParsedTarget((), (), (), "target waktu kosong")
    if not isinstance(plan_year, int) or not 1900 <= plan_year <= 2099:
        return ParsedTarget((), (), (), f"tahun rencana {plan_year} tidak valid")
    p = _Parser(text, _tokenize(text), plan_year)
    p.parse()
    found, notes = p.dates()
    dates = tuple(sorted(found))
    notes = [f"per kejadian: {e}" for e in p.events] + notes
    warnings = p.warnings + [f"Tanggal {d.isoformat()} di luar tahun rencana {plan_year} (mungkin salah ketik)"
                             for d in dates if d.year != plan_year]
    fragments, review = p.leftover_fragments(), None
    if dates:
        warnings += [f"Bagian {f} tidak dipahami; tanggal lain tetap dipakai" for f in fragments]
    elif p.events:
        review = (f"target waktu hanya per kejadian/tidak tentu ({'; '.join(p.events)}); "
                  "tanggal target perlu ditentukan")
    elif fragments:
        review = f"target waktu tidak dapat dipahami: {', '.join(fragments)}"
    else:
        review = f"tidak ada bulan atau tanggal yang dapat dikenali dalam target waktu '{text.strip()}'"
    return ParsedTarget(dates, tuple(warnings), tuple(notes), review)
