"""Check that a change to the report (selectors, template, stylesheet, renderer) keeps what it says.

Builds the seed plan as benchmarks/pages.py does (a third of the dated targets accepted, a sixth waiting), takes the
Semester I snapshot as of 1 July 2019 and renders the draft PDF, then writes (--save DIR) or compares with
(--compare DIR) three files: the snapshot as JSON, the PDF's text read back with pypdf page by page, and the page
count. With --images, page images (pdftoppm, 60 dpi) go to DIR too, to be compared by eye.

    .venv/bin/python benchmarks/report_text.py --save /tmp/before [--images]
    ... change the code ...
    .venv/bin/python benchmarks/report_text.py --compare /tmp/before [--images]   # exit status 1 on a difference

`make bench` runs it without arguments: it then only prints the page count and the text's length.
"""
import argparse
import datetime
import difflib
import io
import json
import logging
import subprocess
import sys
from pathlib import Path

from _django import setup


def build():
    setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from dashboard import add_evidence
    from pypdf import PdfReader

    from actionplan.models import Plan
    from monev.pdf import render_report_pdf
    from monev.selectors import report_snapshot

    plan = Plan.objects.get()
    add_evidence(plan)
    snapshot = report_snapshot(plan=plan, semester=1, as_of=datetime.date(2019, 6, 30))
    snapshot["plan"]["id"] = 0  # the database's ids are not content
    _name, pdf = render_report_pdf(
        snapshot=snapshot, number="DRAF", issued_on=datetime.date(2019, 7, 1),
        conclusions="Simpulan belum diisi Ketua Tim.", recommendations=[{"text": "Percepat unggahan bukti fisik."}],
        previous_followups=[], draft=True)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "".join(f"=== page {i + 1}\n{page.extract_text()}\n" for i, page in enumerate(pages))
    return {"snapshot.json": json.dumps(snapshot, indent=1, ensure_ascii=False, sort_keys=True),
            "text.txt": text, "pages.txt": f"{len(pages)}\n"}, pdf


def main():
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    parser.add_argument("--images", action="store_true")
    args = parser.parse_args()
    files, pdf = build()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (args.save / name).write_text(content)
    different = []
    if args.compare:
        for name, content in files.items():
            before = (args.compare / name).read_text()
            if before != content:
                different.append(name)
                sys.stdout.writelines(list(difflib.unified_diff(before.splitlines(True), content.splitlines(True),
                                                                f"before/{name}", f"after/{name}"))[:80])
    out = args.save or args.compare
    if out and args.images:
        (out / "report.pdf" if args.save else out / "after.pdf").write_bytes(pdf)
        prefix = out / ("before" if args.save else "after")
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-", str(prefix)], input=pdf, check=True)
    print(f"pages={files['pages.txt'].strip()} text_chars={len(files['text.txt'])} "
          f"same={'yes' if not different else 'no: ' + ', '.join(different)}" if args.compare else
          f"pages={files['pages.txt'].strip()} text_chars={len(files['text.txt'])}")
    return 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main())
