"""Scoring of an LKE column, as `../shared/reference/lke-90-2021-scoring.md` fixes it.

Pure functions over a `Structure` (the version's tree, read once from the database by `selectors.structure`) and
a mapping of question code → `AnswerData`. No database access here, so a whole column (113 questions) scores in
memory, and the "where the points are" search can try every one-step improvement cheaply.

- choice questions: the value of the chosen key (Ya 1 / Tidak 0; A/B/C 1, 0.5, 0; …) as the data file gives it;
- survey: value / 4 (a value on 0–4);
- percentage: from the counts by the question's formula (the counts decide; a typed percentage 0–100 is used only
  when no count is given), capped to [0, 1];
- unanswered: 0, and still counted in its sub-area's mean;
- sub-area = weight × mean of its questions; a node whose questions carry weights (Komponen Hasil) = Σ weight × value;
  every other node = Σ of its children; the area figure = Pemenuhan half + Reform half.
Everything is computed unrounded and shown with two decimals rounded half up; thresholds compare two-decimal values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")
FOUR = Decimal("4")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
CHOICE_TYPES = {"ya_tidak", "abc", "abcd", "abcde"}


def r2(value: Decimal) -> Decimal:
    """Two decimals, half up (2.345 → 2.35), as the Excel LKE shows figures."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def clamp01(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value))


@dataclass(frozen=True)
class Question:
    pk: int
    code: str
    node: str
    text: str
    explanation: str
    answer_type: str
    weight: Decimal | None
    choices: tuple  # ((key, text, value), …) best first, as the annex lists them
    counts: tuple   # ((code, text), …)
    formula: dict | None

    def choice_value(self, key: str) -> Decimal | None:
        for k, _text, value in self.choices:
            if k == key:
                return value
        return None

    @property
    def is_count(self) -> bool:
        return self.answer_type == "percent"


@dataclass(frozen=True)
class Node:
    pk: int
    code: str
    kind: str
    title: str
    weight: Decimal
    area: int | None
    parent: str | None
    depth: int
    children: tuple = ()    # codes of child nodes
    questions: tuple = ()   # codes of questions


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    node: str | None
    minimum: Decimal | None
    min_share: Decimal | None


@dataclass(frozen=True)
class Predicate:
    code: str
    name: str
    requires: str
    criteria: tuple


@dataclass
class Structure:
    version_id: int
    sha: str
    name: str
    nodes: dict            # code → Node, in tree order
    questions: dict        # code → Question, in annex order
    roots: tuple           # codes of the top nodes (A, B)
    areas: tuple           # ((number, name, weight), …)
    predicates: tuple      # Predicate, …
    count_codes: dict = field(default_factory=dict)   # count code → question code

    def ancestors(self, code: str) -> list[str]:
        """Codes of the nodes above a question or node, nearest first."""
        out = []
        parent = self.questions[code].node if code in self.questions else self.nodes[code].parent
        while parent:
            out.append(parent)
            parent = self.nodes[parent].parent
        return out


@dataclass
class AnswerData:
    choice: str = ""
    value: Decimal | None = None
    counts: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.choice and self.value is None and not any(v is not None for v in self.counts.values())


def _count(counts: dict, code: str) -> int | None:
    value = counts.get(code)
    return None if value is None or value == "" else int(value)


def _sum(counts: dict, codes) -> tuple[int, bool]:
    """Σ of the counts given, and whether any of them was given at all."""
    values = [_count(counts, c) for c in codes]
    given = [v for v in values if v is not None]
    return sum(given), bool(given)


def formula_value(formula: dict, counts: dict) -> Decimal | None:
    """The percentage (0–1) a count question's counts give, or None when no count of the formula is filled."""
    if formula["kind"] == "ratio":
        numerator, num_given = _sum(counts, formula["numerator"])
        denominator, den_given = _sum(counts, formula["denominator"])
        if not den_given and formula.get("denominator_fallback"):
            denominator, den_given = _sum(counts, formula["denominator_fallback"])
        if not (num_given or den_given):
            return None
        if denominator == 0:
            return Decimal(str(formula.get("when_zero", 0)))
        return clamp01(Decimal(numerator) / Decimal(denominator))
    if formula["kind"] == "decrease":
        previous, current = _count(counts, formula["previous"]), _count(counts, formula["current"])
        if previous is None and current is None:
            return None
        previous, current = previous or 0, current or 0
        if previous == 0:
            return ONE if current == 0 else ZERO
        return clamp01(Decimal(previous - current) / Decimal(previous))
    raise ValueError(f"unknown formula kind {formula['kind']!r}")


def question_value(question: Question, answer: AnswerData | None) -> Decimal | None:
    """The 0–1 value of an answer, or None when it is unanswered (worth 0)."""
    if answer is None:
        return None
    kind = question.answer_type
    if kind in CHOICE_TYPES:
        return question.choice_value(answer.choice) if answer.choice else None
    if kind == "survey":
        return None if answer.value is None else clamp01(Decimal(answer.value) / FOUR)
    if kind == "percent":
        if question.formula and any(v is not None and v != "" for v in answer.counts.values()):
            value = formula_value(question.formula, answer.counts)
            if value is not None:
                return value
        return None if answer.value is None else clamp01(Decimal(answer.value) / HUNDRED)
    raise ValueError(f"unknown answer type {kind!r}")


def count_warnings(question: Question, counts: dict) -> list[str]:
    """A typed total that disagrees with the sum of its parts (the parts are used)."""
    formula = question.formula or {}
    total_code = formula.get("typed_total")
    if not total_code:
        return []
    total = _count(counts, total_code)
    parts, given = _sum(counts, formula.get("denominator", []))
    if total is not None and given and total != parts:
        return [f"{total_code}: jumlah yang diketik {total} tidak sama dengan jumlah rinciannya {parts}; "
                f"yang dipakai {parts}."]
    return []


@dataclass
class CriterionResult:
    predicate: str
    code: str
    label: str
    figure: Decimal          # two decimals (points, or a percentage for area shares)
    limit: Decimal
    passed: bool
    unit: str = ""           # "" points, "%" share

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.limit - self.figure)


@dataclass
class PredicateResult:
    code: str
    name: str
    criteria: list
    requires: str = ""
    requirement_met: bool = True

    @property
    def failed(self) -> list[CriterionResult]:
        return [c for c in self.criteria if not c.passed]

    @property
    def passed(self) -> bool:
        return not self.failed and self.requirement_met


@dataclass
class Score:
    nodes: dict              # node code → unrounded points
    values: dict             # question code → 0–1 value or None
    areas: dict              # area number → unrounded points (Pemenuhan + Reform)
    total: Decimal
    predicates: list
    prediction: str          # predicate code, or "-"
    answered: int
    question_count: int
    warnings: dict           # question code → [messages]

    @property
    def provisional(self) -> bool:
        return self.answered < self.question_count

    def points(self, code: str) -> Decimal:
        return r2(self.total if code == "ROOT" else self.nodes[code])


def node_points(structure: Structure, values: dict) -> tuple[dict, dict, Decimal]:
    """Points of every node from the question values, the area figures and the total (all unrounded)."""
    points: dict[str, Decimal] = {}
    for code in reversed(list(structure.nodes)):          # children come after their parent in tree order
        node = structure.nodes[code]
        if node.questions:
            qs = [structure.questions[q] for q in node.questions]
            if all(q.weight is not None for q in qs):
                total = sum((q.weight * (values.get(q.code) or ZERO) for q in qs), ZERO)
            else:
                total = node.weight * sum((values.get(q.code) or ZERO for q in qs), ZERO) / len(qs)
        else:
            total = ZERO
        total += sum((points[c] for c in node.children), ZERO)
        points[code] = total
    areas = {number: ZERO for number, _name, _weight in structure.areas}
    for code, node in structure.nodes.items():
        if node.kind == "area" and node.area in areas:
            areas[node.area] += points[code]
    total = sum((points[c] for c in structure.roots), ZERO)
    return points, areas, total


def check_predicates(structure: Structure, points: dict, areas: dict, total: Decimal, *,
                     holds: set) -> tuple[list, str]:
    """Every criterion of every predicate against the two-decimal figures, and the prediction."""
    results = []
    for predicate in structure.predicates:
        rows = []
        for c in predicate.criteria:
            if c.min_share is not None:
                for number, name, weight in structure.areas:
                    share = areas[number] / weight if weight else ZERO
                    rows.append(CriterionResult(
                        predicate.code, c.code, f"{c.label}: {name}", r2(share * HUNDRED), r2(c.min_share * HUNDRED),
                        r2(areas[number]) >= r2(c.min_share * weight), unit="%"))
            else:
                figure = r2(total if c.node == "ROOT" else points.get(c.node, ZERO))
                if c.node not in points and c.node != "ROOT":
                    figure = r2(_question_points(structure, points, c.node))
                rows.append(CriterionResult(predicate.code, c.code, c.label, figure, r2(c.minimum),
                                            figure >= r2(c.minimum)))
        results.append(PredicateResult(predicate.code, predicate.name, rows, predicate.requires,
                                       not predicate.requires or predicate.requires in holds))
    prediction = "-"
    for result in results:            # listed WBK then WBBM: the last one that holds is the strongest
        if result.passed:
            prediction = result.code
    return results, prediction


def _question_points(structure: Structure, points: dict, code: str) -> Decimal:
    """Points of one weighted question (B.I.a IPAK …), stored with the node points under its code."""
    return points.get(code, ZERO)


def score(structure: Structure, answers: dict, *, holds: set = frozenset()) -> Score:
    """Score one column. `answers`: question code → AnswerData; `holds`: predicates the unit already holds."""
    values, warnings = {}, {}
    answered = 0
    for code, question in structure.questions.items():
        answer = answers.get(code)
        value = question_value(question, answer)
        values[code] = value
        if value is not None:
            answered += 1
        if answer is not None and question.is_count:
            found = count_warnings(question, answer.counts)
            if found:
                warnings[code] = found
    points, areas, total = node_points(structure, values)
    for code, question in structure.questions.items():     # weighted questions are criteria of their own
        if question.weight is not None:
            points[code] = question.weight * (values[code] or ZERO)
    predicates, prediction = check_predicates(structure, points, areas, total, holds=holds)
    return Score(points, values, areas, total, predicates, prediction, answered, len(structure.questions),
                 warnings)


# -- where the points are -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """Raising one question's answer by one step of its scale (or to the full value for percentages/surveys)."""

    code: str
    before: Decimal
    after: Decimal
    label: str
    gain: Decimal            # points added to the total


def next_step(question: Question, value: Decimal | None) -> tuple[Decimal, str] | None:
    current = value or ZERO
    if question.answer_type in CHOICE_TYPES:
        better = [(v, k) for k, _t, v in question.choices if v > current]
        if not better:
            return None
        v, k = min(better)
        return v, k
    if current >= ONE:
        return None
    if question.answer_type == "survey":
        # one tenth of the 0–4 scale at a time (3,2 → 3,6 crosses the IPKP limits)
        after = min(ONE, (current * FOUR + Decimal("0.4")) / FOUR)
        return after, f"{r2(after * FOUR)}"
    return ONE, "100%"


def _gain_factor(structure: Structure, code: str) -> Decimal:
    """Points one unit of value of the question is worth in its node."""
    question = structure.questions[code]
    if question.weight is not None:
        return question.weight
    node = structure.nodes[question.node]
    return node.weight / len(node.questions)


def one_step_gains(structure: Structure, result: Score) -> list[Step]:
    """Every one-step improvement, biggest gain to the total first."""
    steps = []
    for code, question in structure.questions.items():
        found = next_step(question, result.values[code])
        if found is None:
            continue
        after, label = found
        before = result.values[code] or ZERO
        steps.append(Step(code, before, after, label, (after - before) * _gain_factor(structure, code)))
    steps.sort(key=lambda s: (-s.gain, s.code))
    return steps


def _question_area(structure: Structure, code: str) -> int | None:
    for parent in structure.ancestors(code):
        if structure.nodes[parent].area is not None:
            return structure.nodes[parent].area
    return None


def shortest_path(structure: Structure, result: Score, target: str, *, holds: set = frozenset(),
                  limit: int = 400) -> list[Step] | None:
    """A short list of one-step improvements that makes every criterion of `target` hold (greedy: each time the
    step that closes most of the remaining shortfall, points first, then the biggest gain). None when the
    predicate cannot be reached by answers alone (WBBM for a unit that does not hold WBK, or no step is left).

    Each trial moves only the question's ancestors, its own points and its area, so one trial costs a handful of
    comparisons, not a re-score."""
    predicate = next((p for p in structure.predicates if p.code == target), None)
    if predicate is None or (predicate.requires and predicate.requires not in holds):
        return None
    points = {**result.nodes, "ROOT": result.total}
    areas = dict(result.areas)
    values = dict(result.values)
    touched = {code: {*structure.ancestors(code), code, "ROOT"} for code in structure.questions}
    area_of = {code: _question_area(structure, code) for code in structure.questions}
    weights = {number: weight for number, _n, weight in structure.areas}

    def deficit(code: str | None = None, gain: Decimal = ZERO) -> Decimal:
        missing = ZERO
        for c in predicate.criteria:
            if c.min_share is not None:
                for number, weight in weights.items():
                    figure = areas[number] + (gain if code and area_of[code] == number else ZERO)
                    missing += max(ZERO, r2(c.min_share * weight) - r2(figure))
            else:
                figure = points.get(c.node, ZERO) + (gain if code and c.node in touched[code] else ZERO)
                missing += max(ZERO, r2(c.minimum) - r2(figure))
        return missing

    chosen: list[Step] = []
    current = deficit()
    while current > 0 and len(chosen) < limit:
        best = None
        for code, question in structure.questions.items():
            found = next_step(question, values[code])
            if found is None:
                continue
            after, label = found
            gain = (after - (values[code] or ZERO)) * _gain_factor(structure, code)
            remaining = deficit(code, gain)
            key = (current - remaining, gain)
            if best is None or key > best[0]:
                best = (key, Step(code, values[code] or ZERO, after, label, gain), remaining)
        if best is None or best[0][0] <= 0:
            return None
        step = best[1]
        chosen.append(step)
        values[step.code] = step.after
        for code in touched[step.code]:
            points[code] = points.get(code, ZERO) + step.gain
        if area_of[step.code] is not None:
            areas[area_of[step.code]] += step.gain
        current = best[2]
    return chosen if current <= 0 else None
