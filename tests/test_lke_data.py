"""The LKE of PermenPAN-RB 90/2021 as data: the file agrees with the annex and with the scoring rules.

Reads only `lke/data/lke-permenpanrb-90-2021.json` (no models): the totals and weights of Lampiran III, the counts of
`lke-90-2021-scoring.md` (42 sub-areas, 113 scored questions by type, 24 count rows), the code scheme, the values of
every answer choice, the percentage formulas, the thresholds of Lampiran II Tabel 6, and that all best answers score
100 and all worst answers 0 with a small scorer written here from the scoring rules.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA_FILE = Path(__file__).resolve().parent.parent / "lke" / "data" / "lke-permenpanrb-90-2021.json"
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii"]

# Lampiran III as printed: sub-area code -> (bobot, number of questions).
SUBAREAS = {
    "A.I.1.i": (0.50, 2), "A.I.1.ii": (1.00, 3), "A.I.1.iii": (1.00, 3), "A.I.1.iv": (1.50, 4),
    "A.I.2.i": (1.00, 3), "A.I.2.ii": (2.00, 4), "A.I.2.iii": (0.50, 2),
    "A.I.3.i": (0.25, 3), "A.I.3.ii": (0.50, 3), "A.I.3.iii": (1.25, 6), "A.I.3.iv": (2.00, 4),
    "A.I.3.v": (0.75, 1), "A.I.3.vi": (0.25, 1),
    "A.I.4.i": (2.50, 3), "A.I.4.ii": (2.50, 8),
    "A.I.5.i": (1.50, 2), "A.I.5.ii": (1.50, 4), "A.I.5.iii": (1.50, 4), "A.I.5.iv": (1.50, 3), "A.I.5.v": (1.50, 5),
    "A.I.6.i": (1.00, 4), "A.I.6.ii": (1.00, 6), "A.I.6.iii": (1.00, 3), "A.I.6.iv": (1.00, 3), "A.I.6.v": (1.00, 3),
    "A.II.1.i": (2.00, 2), "A.II.1.ii": (1.00, 1), "A.II.1.iii": (1.00, 1),
    "A.II.2.i": (0.50, 1), "A.II.2.ii": (1.00, 2), "A.II.2.iii": (2.00, 3),
    "A.II.3.i": (1.50, 1), "A.II.3.ii": (1.50, 1), "A.II.3.iii": (2.00, 1),
    "A.II.4.i": (2.00, 1), "A.II.4.ii": (1.50, 1), "A.II.4.iii": (1.50, 1),
    "A.II.5.i": (2.50, 1), "A.II.5.ii": (3.00, 1), "A.II.5.iii": (2.00, 2),
    "A.II.6.i": (2.50, 2), "A.II.6.ii": (2.50, 1),
}
AREA_WEIGHTS = {1: 8.0, 2: 7.0, 3: 10.0, 4: 10.0, 5: 15.0, 6: 10.0}
CHOICE_VALUES = {
    "ya_tidak": [("Ya", 1.0), ("Tidak", 0.0)],
    "abc": [("A", 1.0), ("B", 0.5), ("C", 0.0)],
    "abcd": [("A", 1.0), ("B", 0.67), ("C", 0.33), ("D", 0.0)],
    "abcde": [("A", 1.0), ("B", 0.75), ("C", 0.5), ("D", 0.25), ("E", 0.0)],
}
# The percentage questions of the scoring file and their number of count rows.
PERCENT_QUESTIONS = {
    "A.II.1.i.a": 2, "A.II.1.i.b": 2, "A.II.3.iii.a": 3, "A.II.4.i.a": 2,
    "A.II.5.ii.a": 3, "A.II.5.iii.a": 5, "A.II.5.iii.b": 5, "A.II.6.i.b": 2,
}


@pytest.fixture(scope="module")
def lke():
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def walk(node, parent=None):
    yield node, parent
    for child in node.get("children", []):
        yield from walk(child, node)


def nodes(lke, kind=None):
    return [n for root in lke["tree"] for n, _ in walk(root) if kind is None or n["kind"] == kind]


def questions(lke):
    return nodes(lke, "question")


def by_code(lke):
    return {n["code"]: n for n in nodes(lke)}


# --- the tiny scorer of the scoring rules ----------------------------------------------------------------------


def percent_value(question, counts):
    formula = question["formula"]
    if formula["kind"] == "decrease":
        previous, current = counts[formula["previous"]], counts[formula["current"]]
        if previous == 0:
            return 1.0 if current == 0 else 0.0
        return min(1.0, max(0.0, (previous - current) / previous))
    denominator_codes = formula["denominator"]
    if all(counts.get(code) is None for code in denominator_codes):
        denominator_codes = formula["denominator_fallback"]
    numerator = sum(counts.get(code) or 0 for code in formula["numerator"])
    denominator = sum(counts.get(code) or 0 for code in denominator_codes)
    if denominator == 0:
        return formula["when_zero"]
    return min(1.0, max(0.0, numerator / denominator))


def question_value(question, answers):
    answer = answers.get(question["code"])
    if answer is None:
        return 0.0
    if question["answer_type"] == "survey":
        return answer / 4
    if question["answer_type"] == "percent":
        return percent_value(question, answer)
    return {c["key"]: c["value"] for c in question["choices"]}[answer]


def node_score(node, answers):
    children = node["children"]
    if node["kind"] == "subarea":
        return node["weight"] * sum(question_value(q, answers) for q in children) / len(children)
    if all(child["kind"] == "question" for child in children):
        return sum(q["weight"] * question_value(q, answers) for q in children)
    return sum(node_score(child, answers) for child in children)


def total_score(lke, answers):
    return sum(node_score(root, answers) for root in lke["tree"])


def extreme_answers(lke, best):
    answers = {}
    for q in questions(lke):
        if q["answer_type"] == "survey":
            answers[q["code"]] = 4.0 if best else 0.0
        elif q["answer_type"] == "percent":
            formula = q["formula"]
            if formula["kind"] == "decrease":
                answers[q["code"]] = {formula["previous"]: 5, formula["current"]: 0 if best else 5}
            else:
                counts = {row["code"]: 0 for row in q["counts"]}
                for code in formula["denominator"]:
                    counts[code] = 4
                if formula["typed_total"]:
                    counts[formula["typed_total"]] = 4 * len(formula["denominator"])
                for code in formula["numerator"]:
                    counts[code] = 4 * len(formula["denominator"]) if best else 0
                answers[q["code"]] = counts
        else:
            values = [c["value"] for c in q["choices"]]
            wanted = max(values) if best else min(values)
            answers[q["code"]] = next(c["key"] for c in q["choices"] if c["value"] == wanted)
    return answers


# --- shape and weights -------------------------------------------------------------------------------------------


def test_file_names_its_version_and_source(lke):
    assert list(lke) == ["code", "name", "source", "areas", "tree", "predicates"]
    assert lke["code"] == "permenpanrb-90-2021"
    assert "Nomor 90 Tahun 2021" in lke["name"]
    assert "Lampiran III" in lke["source"]


def test_total_is_pengungkit_60_plus_hasil_40(lke):
    pengungkit, hasil = lke["tree"]
    assert (pengungkit["code"], pengungkit["kind"], pengungkit["weight"]) == ("A", "komponen", 60.0)
    assert (hasil["code"], hasil["kind"], hasil["weight"]) == ("B", "komponen", 40.0)
    assert pengungkit["weight"] + hasil["weight"] == 100.0


def test_pengungkit_is_pemenuhan_30_and_reform_30(lke):
    pemenuhan, reform = lke["tree"][0]["children"]
    assert (pemenuhan["code"], pemenuhan["title"], pemenuhan["weight"]) == ("A.I", "Pemenuhan", 30.0)
    assert (reform["code"], reform["title"], reform["weight"]) == ("A.II", "Reform", 30.0)
    for half in (pemenuhan, reform):
        assert sum(area["weight"] for area in half["children"]) == pytest.approx(half["weight"])


def test_area_weights_8_7_10_10_15_10_split_half_pemenuhan_half_reform(lke):
    assert {a["number"]: a["weight"] for a in lke["areas"]} == AREA_WEIGHTS
    assert sum(AREA_WEIGHTS.values()) == 60.0
    for half in lke["tree"][0]["children"]:
        assert [area["area"] for area in half["children"]] == [1, 2, 3, 4, 5, 6]
        for area in half["children"]:
            assert area["kind"] == "area"
            assert area["code"] == f"{half['code']}.{area['area']}"
            assert area["weight"] == AREA_WEIGHTS[area["area"]] / 2
            assert area["title"] == lke["areas"][area["area"] - 1]["name"]


def test_every_subarea_has_the_weight_and_questions_the_annex_prints(lke):
    subareas = nodes(lke, "subarea")
    assert {s["code"]: (s["weight"], len(s["children"])) for s in subareas} == SUBAREAS
    assert all(child["kind"] == "question" for s in subareas for child in s["children"])
    assert all(s["title"].strip() for s in subareas)


def test_subarea_weights_add_up_to_their_area_half(lke):
    for area in nodes(lke, "area"):
        assert sum(s["weight"] for s in area["children"]) == pytest.approx(area["weight"]), area["code"]
        assert all(s["area"] == area["area"] for s in area["children"])


def test_42_subareas_25_pemenuhan_and_17_reform(lke):
    pemenuhan, reform = lke["tree"][0]["children"]
    count = lambda half: sum(len(area["children"]) for area in half["children"])  # noqa: E731
    assert (count(pemenuhan), count(reform)) == (25, 17)
    assert len(nodes(lke, "subarea")) == 42


def test_hasil_is_bersih_22_50_and_pelayanan_17_50_of_weighted_questions(lke):
    hasil = lke["tree"][1]
    bersih, pelayanan = hasil["children"]
    assert (bersih["code"], bersih["weight"], bersih["area"]) == ("B.I", 22.5, None)
    assert (pelayanan["code"], pelayanan["weight"], pelayanan["area"]) == ("B.II", 17.5, None)
    items = {q["code"]: (q["answer_type"], q["weight"]) for q in questions({"tree": [hasil]})}
    assert items == {"B.I.a": ("survey", 17.5), "B.I.b": ("abcde", 5.0), "B.II.a": ("survey", 17.5)}
    for part in (bersih, pelayanan):
        assert sum(q["weight"] for q in part["children"]) == part["weight"]
    assert bersih["weight"] + pelayanan["weight"] == hasil["weight"]


def test_pengungkit_questions_carry_no_weight_of_their_own(lke):
    assert all(q["weight"] is None for q in questions({"tree": [lke["tree"][0]]}))


def test_113_scored_questions_by_answer_type(lke):
    qs = questions(lke)
    assert len(qs) == 113
    assert len(questions({"tree": [lke["tree"][0]]})) == 110
    assert Counter(q["answer_type"] for q in qs) == {
        "ya_tidak": 17, "abc": 36, "abcd": 33, "abcde": 17, "percent": 8, "survey": 2,
    }


# --- codes ---------------------------------------------------------------------------------------------------------


def test_every_code_is_unique_including_count_rows(lke):
    codes = [n["code"] for n in nodes(lke)] + [row["code"] for q in questions(lke) for row in q["counts"]]
    assert len(codes) == len(set(codes))


def test_codes_follow_the_scheme_of_the_scoring_file(lke):
    for root in lke["tree"]:
        for node, parent in walk(root):
            if parent is None:
                continue
            position = parent["children"].index(node)
            if node["kind"] == "bagian":
                expected = f"{parent['code']}.{['I', 'II'][position]}"
            elif node["kind"] == "area":
                expected = f"{parent['code']}.{node['area']}"
            elif node["kind"] == "subarea":
                expected = f"{parent['code']}.{ROMAN[position]}"
            else:
                expected = f"{parent['code']}.{'abcdefgh'[position]}"
            assert node["code"] == expected
    pattern = re.compile(r"^(A\.(I|II)\.[1-6]\.(i|ii|iii|iv|v|vi)\.[a-h]|B\.(I\.[ab]|II\.a))$")
    assert all(pattern.match(q["code"]) for q in questions(lke))


def test_codes_the_scoring_file_names_point_at_the_right_questions(lke):
    nodes_by_code = by_code(lke)
    assert "LHKPN" in nodes_by_code["A.II.5.iii.a"]["text"]
    assert "LHKASN" in nodes_by_code["A.II.5.iii.b"]["text"]
    assert "teknologi informasi" in nodes_by_code["A.I.6.v.a"]["text"]
    assert "database" in nodes_by_code["A.I.6.v.b"]["text"]
    assert "perbaikan" in nodes_by_code["A.I.6.v.c"]["text"]
    assert "IPAK" in nodes_by_code["B.I.a"]["explanation"]
    assert "Capaian Kinerja" in nodes_by_code["B.I.b"]["text"]
    assert "IPKP" in nodes_by_code["B.II.a"]["explanation"]
    assert "agen perubahan" in nodes_by_code["A.I.1.iv.b"]["text"].lower()
    assert "Sasaran" in nodes_by_code["A.II.4.i.a"]["text"]


# --- answers and texts ---------------------------------------------------------------------------------------------


def test_every_question_has_a_text_and_the_keys_of_the_contract(lke):
    keys = ["code", "kind", "text", "explanation", "answer_type", "weight", "choices", "counts", "formula"]
    for q in questions(lke):
        assert list(q) == keys
        assert q["text"].strip() and q["text"] == q["text"].strip()
        assert "  " not in q["text"] and "  " not in q["explanation"]


def test_choice_questions_have_exactly_the_choices_of_their_type(lke):
    for q in questions(lke):
        if q["answer_type"] not in CHOICE_VALUES:
            continue
        assert [(c["key"], c["value"]) for c in q["choices"]] == CHOICE_VALUES[q["answer_type"]], q["code"]
        for choice in q["choices"]:
            assert list(choice) == ["key", "text", "value"]
            assert choice["text"].strip(), q["code"]
            assert not re.match(r"^[a-e]\.", choice["text"]), f"{q['code']} keeps its letter: {choice['text']}"
        assert q["counts"] == [] and q["formula"] is None


def test_ya_choice_says_when_ya(lke):
    for q in questions(lke):
        if q["answer_type"] == "ya_tidak":
            assert q["choices"][0]["text"].lower().startswith("ya"), q["code"]


def test_percent_and_survey_questions_have_no_choices(lke):
    for q in questions(lke):
        if q["answer_type"] in ("percent", "survey"):
            assert q["choices"] == []
        if q["answer_type"] == "survey":
            assert q["counts"] == [] and q["formula"] is None


# --- percentages ---------------------------------------------------------------------------------------------------


def test_24_count_rows_under_the_8_percentage_questions(lke):
    percent = {q["code"]: q for q in questions(lke) if q["answer_type"] == "percent"}
    assert {code: len(q["counts"]) for code, q in percent.items()} == PERCENT_QUESTIONS
    assert sum(len(q["counts"]) for q in questions(lke)) == 24
    for code, q in percent.items():
        assert [row["code"] for row in q["counts"]] == [f"{code}.{n}" for n in range(1, len(q["counts"]) + 1)]
        assert all(list(row) == ["code", "text"] and row["text"].strip() for row in q["counts"])


def test_every_percentage_formula_uses_only_its_own_count_rows(lke):
    for q in questions(lke):
        if q["answer_type"] != "percent":
            continue
        own = {row["code"] for row in q["counts"]}
        formula = q["formula"]
        if formula["kind"] == "ratio":
            assert list(formula) == [
                "kind", "numerator", "denominator", "denominator_fallback", "typed_total", "when_zero",
            ]
            used = set(formula["numerator"]) | set(formula["denominator"]) | set(formula["denominator_fallback"])
            if formula["typed_total"]:
                used.add(formula["typed_total"])
            assert formula["numerator"] and formula["denominator"]
            assert formula["when_zero"] in (0.0, 1.0)
        else:
            assert list(formula) == ["kind", "previous", "current"]
            used = {formula["previous"], formula["current"]}
        assert used <= own, q["code"]


def test_percentage_formulas_follow_the_scoring_file(lke):
    questions_by_code = by_code(lke)
    f = lambda code: questions_by_code[code]["formula"]  # noqa: E731
    assert f("A.II.3.iii.a") == {"kind": "decrease", "previous": "A.II.3.iii.a.1", "current": "A.II.3.iii.a.2"}
    lhkpn = f("A.II.5.iii.a")
    assert lhkpn["numerator"] == ["A.II.5.iii.a.5"]
    assert lhkpn["denominator"] == ["A.II.5.iii.a.2", "A.II.5.iii.a.3", "A.II.5.iii.a.4"]
    assert (lhkpn["typed_total"], lhkpn["when_zero"]) == ("A.II.5.iii.a.1", 1.0)
    assert f("A.II.5.iii.b")["denominator"] == ["A.II.5.iii.b.2", "A.II.5.iii.b.3", "A.II.5.iii.b.4"]
    complaints = f("A.II.5.ii.a")
    assert (complaints["numerator"], complaints["denominator"]) == (["A.II.5.ii.a.3"], ["A.II.5.ii.a.1"])
    assert complaints["denominator_fallback"] == ["A.II.5.ii.a.2", "A.II.5.ii.a.3"]
    assert complaints["when_zero"] == 1.0
    for code in ("A.II.1.i.a", "A.II.1.i.b", "A.II.4.i.a", "A.II.6.i.b"):
        assert f(code)["when_zero"] == 0.0, code


@pytest.mark.parametrize(
    ("code", "counts", "expected"),
    [
        ("A.II.3.iii.a", {"A.II.3.iii.a.1": 4, "A.II.3.iii.a.2": 1, "A.II.3.iii.a.3": 9}, 0.75),
        ("A.II.3.iii.a", {"A.II.3.iii.a.1": 0, "A.II.3.iii.a.2": 0}, 1.0),
        ("A.II.3.iii.a", {"A.II.3.iii.a.1": 0, "A.II.3.iii.a.2": 2}, 0.0),
        ("A.II.3.iii.a", {"A.II.3.iii.a.1": 2, "A.II.3.iii.a.2": 5}, 0.0),
        ("A.II.5.ii.a", {"A.II.5.ii.a.1": 10, "A.II.5.ii.a.2": 2, "A.II.5.ii.a.3": 8}, 0.8),
        ("A.II.5.ii.a", {"A.II.5.ii.a.2": 1, "A.II.5.ii.a.3": 3}, 0.75),
        ("A.II.5.ii.a", {"A.II.5.ii.a.1": 0, "A.II.5.ii.a.3": 0}, 1.0),
        ("A.II.5.iii.a", {"A.II.5.iii.a.1": 9, "A.II.5.iii.a.2": 1, "A.II.5.iii.a.3": 2, "A.II.5.iii.a.4": 1,
                          "A.II.5.iii.a.5": 3}, 0.75),
        ("A.II.5.iii.a", {"A.II.5.iii.a.2": 0, "A.II.5.iii.a.3": 0, "A.II.5.iii.a.4": 0}, 1.0),
        ("A.II.1.i.a", {"A.II.1.i.a.1": 0, "A.II.1.i.a.2": 0}, 0.0),
        ("A.II.1.i.a", {"A.II.1.i.a.1": 2, "A.II.1.i.a.2": 5}, 1.0),
        ("A.II.6.i.b", {"A.II.6.i.b.1": 8, "A.II.6.i.b.2": 2}, 0.25),
    ],
)
def test_percentage_counts_give_the_scoring_files_value(lke, code, counts, expected):
    assert percent_value(by_code(lke)[code], counts) == pytest.approx(expected)


# --- scores and thresholds -----------------------------------------------------------------------------------------


def test_all_best_answers_give_100(lke):
    answers = extreme_answers(lke, best=True)
    assert len(answers) == 113
    pengungkit, hasil = lke["tree"]
    assert node_score(pengungkit, answers) == pytest.approx(60.0)
    assert node_score(hasil, answers) == pytest.approx(40.0)
    assert total_score(lke, answers) == pytest.approx(100.0)
    for subarea in nodes(lke, "subarea"):
        assert node_score(subarea, answers) == pytest.approx(subarea["weight"]), subarea["code"]


def test_all_worst_answers_give_0(lke):
    assert total_score(lke, extreme_answers(lke, best=False)) == pytest.approx(0.0)


def test_no_answers_give_0(lke):
    assert total_score(lke, {}) == 0.0


def test_one_step_down_in_a_subarea_costs_weight_times_step_over_its_questions(lke):
    answers = extreme_answers(lke, best=True)
    answers["A.I.1.iii.a"] = "B"  # A/B/C/D, B = 0.67, sub-area 1,00 of 3 questions
    assert total_score(lke, answers) == pytest.approx(100.0 - 1.0 * (1 - 0.67) / 3)
    answers["B.I.a"] = 3.6  # IPAK 3,60 -> 15,75
    assert node_score(by_code(lke)["B.I"], answers) == pytest.approx(15.75 + 5.0)


def test_predicates_carry_the_thresholds_of_tabel_6(lke):
    wbk, wbbm = lke["predicates"]
    limits = lambda p: {c["code"]: (c["node"], c.get("min", c.get("min_share"))) for c in p["criteria"]}  # noqa: E731
    assert (wbk["code"], wbk["requires"]) == ("WBK", None)
    assert (wbbm["code"], wbbm["requires"]) == ("WBBM", "WBK")
    assert limits(wbk) == {
        "total": ("ROOT", 75.0), "pengungkit": ("A", 40.0), "area_share": (None, 0.60), "bersih": ("B.I", 18.25),
        "ipak": ("B.I.a", 15.75), "capaian": ("B.I.b", 2.5), "ipkp": ("B.II.a", 14.0),
    }
    assert limits(wbbm) == {
        "total": ("ROOT", 85.0), "pengungkit": ("A", 48.0), "area_share": (None, 0.75), "bersih": ("B.I", 19.5),
        "ipak": ("B.I.a", 15.75), "capaian": ("B.I.b", 3.75), "ipkp": ("B.II.a", 15.75),
    }
    codes = by_code(lke)
    assert all(c["node"] in codes or c["node"] in ("ROOT", None) for p in lke["predicates"] for c in p["criteria"])
