"""The README's table of page figures from the output of benchmarks/pages.py (read on stdin):

    .venv/bin/python benchmarks/pages.py | .venv/bin/python benchmarks/_pages_table.py
"""
import re
import sys

AIMS = {  # (seed, large): × floor unless said
    "plan": ("≤ 8×", "≤ 25×, ≤ 300 KB"), "plan_all": ("", ""), "dashboard_cold": ("≤ 6×", "≤ 10×"),
    "dashboard_cached": ("≤ 2×", "≤ 2×"), "status_xlsx": ("≤ 15 queries", "≤ 150×, ≤ 15 queries"),
    "my_tasks": ("≤ 4×", "≤ 25×"), "report_snapshot": ("", "≤ 400 ms"), "report_pdf": ("≤ 1.0 s", "≤ 7 s"),
}


def main():
    rows, meta = {}, ""
    for line in sys.stdin:
        if line.startswith("# date="):
            meta = line[2:].strip()
        if not line.startswith("page="):
            continue
        fields = dict(re.findall(r"(\w+)=(\S+)", line))
        rows.setdefault(fields["page"], {})[fields["size"]] = fields

    def cell(f):
        if not f:
            return ""
        ms = float(f["ms"])
        text = f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"
        text += f" / {f['queries']} q / {f['ratio']}×" + (f" (cpu {f['cpu_ratio']}×)" if 'cpu_ratio' in f else '')
        if "pages" in f:
            text += f", {f['pages']} pages"
        if "kb" in f:
            text += f", {f['kb']} KB"
        return text

    print(f"Measured {meta} (ms / queries / × floor, wall clock; cpu = the same from the process's CPU time).\n")
    print("| page | seed plan (72 indicators, 125 targets) | 1,224 indicators, 2,125 targets | aim (seed; large) |")
    print("|---|---|---|---|")
    for page, sizes in rows.items():
        seed_aim, large_aim = AIMS.get(page, ("", ""))
        aim = "; ".join(a for a in (seed_aim, large_aim) if a)
        print(f"| `{page}` | {cell(sizes.get('seed'))} | {cell(sizes.get('large'))} | {aim} |")


if __name__ == "__main__":
    main()
