"""Load an LKE data file (`lke/data/*.json`, the schema of lke-schema.md) into the database as one `LkeVersion`.

Used by the data migration (with the historical models) and by `manage.py lke_load`. Loading the same file again
changes nothing; a changed file replaces the version's rows only while no assessment uses it — once answers are
given on a version its questions are fixed, and a new regulation is a new file with a new `code`.
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = DATA_DIR / "lke-permenpanrb-90-2021.json"
ANSWER_TYPES = {"ya_tidak", "abc", "abcd", "abcde", "percent", "survey"}
NODE_KINDS = {"komponen", "bagian", "area", "subarea"}


class LkeDataError(Exception):
    """The data file is not a valid LKE (the message names the place)."""


def _dec(value, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise LkeDataError(f"{where}: {value!r} is not a number") from None


def validate(data: dict) -> list[str]:
    """Problems of the file's shape, each naming the code where it is (empty when the file can be loaded)."""
    problems = []
    for key in ("code", "name", "areas", "tree", "predicates"):
        if key not in data:
            problems.append(f"missing key {key!r}")
    if problems:
        return problems
    seen: set[str] = set()
    count_codes: set[str] = set()

    def walk(item, where):
        code = item.get("code")
        if not code:
            problems.append(f"{where}: node without code")
            return
        if code in seen:
            problems.append(f"{code}: duplicate code")
        seen.add(code)
        if item.get("kind") == "question":
            if item.get("answer_type") not in ANSWER_TYPES:
                problems.append(f"{code}: unknown answer_type {item.get('answer_type')!r}")
            choices = item.get("choices") or []
            if item.get("answer_type") in {"percent", "survey"} and choices:
                problems.append(f"{code}: {item['answer_type']} has no choices")
            want = {"ya_tidak": 2, "abc": 3, "abcd": 4, "abcde": 5}.get(item.get("answer_type"))
            if want and len(choices) != want:
                problems.append(f"{code}: {item['answer_type']} needs {want} choices, has {len(choices)}")
            if item.get("answer_type") == "percent":
                if not item.get("counts") or not item.get("formula"):
                    problems.append(f"{code}: a percentage needs counts and a formula")
                for count in item.get("counts") or []:
                    if count.get("code") in count_codes or count.get("code") in seen:
                        problems.append(f"{count.get('code')}: duplicate count code")
                    count_codes.add(count.get("code"))
            return
        if item.get("kind") not in NODE_KINDS:
            problems.append(f"{code}: unknown kind {item.get('kind')!r}")
        if not item.get("children"):
            problems.append(f"{code}: no children")
        for child in item.get("children") or []:
            walk(child, code)

    for node in data["tree"]:
        walk(node, "tree")
    for predicate in data["predicates"]:
        for c in predicate.get("criteria", []):
            if c.get("node") not in (None, "ROOT") and c["node"] not in seen:
                problems.append(f"{predicate.get('code')}.{c.get('code')}: unknown node {c['node']!r}")
    return problems


def read(path: Path | str = DEFAULT_FILE) -> tuple[dict, str]:
    raw = Path(path).read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LkeDataError(f"{path}: not UTF-8 JSON ({exc})") from None
    return data, hashlib.sha256(raw).hexdigest()


def load(data: dict, sha: str, *, apps=None) -> tuple[object, str]:
    """Load `data` as the version `data["code"]`. Returns (version, "created" | "unchanged" | "replaced").
    `apps`: the migration's app registry (historical models); the real models otherwise."""
    if apps is None:
        from django.apps import apps
    problems = validate(data)
    if problems:
        raise LkeDataError("; ".join(problems[:20]))
    m = {name: apps.get_model("lke", name) for name in (
        "LkeVersion", "LkeArea", "LkeNode", "LkeQuestion", "LkeChoice", "LkeCount", "LkePredicate", "LkeCriterion",
        "Assessment")}
    with transaction.atomic():
        version = m["LkeVersion"].objects.select_for_update().filter(code=data["code"]).first()
        outcome = "created"
        if version is not None:
            if version.data_sha256 == sha:
                return version, "unchanged"
            if m["Assessment"].objects.filter(version=version).exists():
                raise LkeDataError(f"version {data['code']} is used by assessments: give the changed file a new code")
            version.delete()
            outcome = "replaced"
        version = m["LkeVersion"].objects.create(code=data["code"], name=data["name"], source=data.get("source", ""),
                                                 data_sha256=sha)
        m["LkeArea"].objects.bulk_create([
            m["LkeArea"](version=version, number=a["number"], name=a["name"], weight=_dec(a["weight"], "areas"))
            for a in data["areas"]])
        preorder: dict[int, int] = {}       # tree (depth-first) order, for display; inserts go depth by depth

        def number(item):
            preorder[id(item)] = len(preorder) + 1
            for child in item.get("children") or []:
                number(child)
        for item in data["tree"]:
            number(item)
        level = [(None, item) for item in data["tree"]]
        questions = []
        while level:                                  # one bulk insert per depth of the tree
            rows, items = [], []
            for parent, item in level:
                order = preorder[id(item)]
                if item["kind"] == "question":
                    questions.append((parent, item, order))
                    continue
                rows.append(m["LkeNode"](version=version, parent=parent, code=item["code"], kind=item["kind"],
                                         title=item.get("title", ""), weight=_dec(item["weight"], item["code"]),
                                         area_number=item.get("area"), order=order))
                items.append(item)
            created = m["LkeNode"].objects.bulk_create(rows)
            if any(row.pk is None for row in created):       # a database without RETURNING
                by_code = dict(m["LkeNode"].objects.filter(version=version).values_list("code", "pk"))
                for row in created:
                    row.pk = row.id = by_code[row.code]
            level = [(row, child) for row, item in zip(created, items, strict=True)
                     for child in item.get("children", [])]
        q_rows = m["LkeQuestion"].objects.bulk_create([
            m["LkeQuestion"](version=version, node=parent, code=item["code"], text=item.get("text", ""),
                             explanation=item.get("explanation") or "", answer_type=item["answer_type"],
                             weight=_dec(item.get("weight"), item["code"]), formula=item.get("formula"), order=o)
            for parent, item, o in questions])
        if any(row.pk is None for row in q_rows):
            by_code = dict(m["LkeQuestion"].objects.filter(version=version).values_list("code", "pk"))
            for row in q_rows:
                row.pk = row.id = by_code[row.code]
        choices, counts = [], []
        for row, (_parent, item, _o) in zip(q_rows, questions, strict=True):
            for i, c in enumerate(item.get("choices") or []):
                choices.append(m["LkeChoice"](question=row, key=c["key"], text=c.get("text", ""),
                                              value=_dec(c["value"], item["code"]), order=i))
            for i, c in enumerate(item.get("counts") or []):
                counts.append(m["LkeCount"](question=row, code=c["code"], text=c.get("text", ""), order=i))
        m["LkeChoice"].objects.bulk_create(choices)
        m["LkeCount"].objects.bulk_create(counts)
        for i, p in enumerate(data["predicates"]):
            predicate = m["LkePredicate"].objects.create(version=version, code=p["code"], name=p["name"],
                                                         requires=p.get("requires") or "", order=i)
            m["LkeCriterion"].objects.bulk_create([
                m["LkeCriterion"](predicate=predicate, code=c["code"], label=c["label"], node_code=c.get("node") or "",
                                  minimum=_dec(c.get("min"), c["code"]), min_share=_dec(c.get("min_share"), c["code"]),
                                  order=j)
                for j, c in enumerate(p.get("criteria", []))])
    return version, outcome


def load_file(path: Path | str = DEFAULT_FILE, *, apps=None):
    data, sha = read(path)
    return load(data, sha, apps=apps)
