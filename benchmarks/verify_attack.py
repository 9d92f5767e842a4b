"""Benchmark: /healthz while 4 clients at once upload hostile PDFs to the public verification page (issue 13).

Builds a throw-away SQLite database with the demo data and one report signed with a demo certificate (through
the real services), starts gunicorn (2 sync workers, as deploy/serve.sh) on a free loopback port, and measures
/healthz latency (one request every 20 ms) in three phases of DURATION seconds:

  quiet      no attack
  bounded    4 threads post hostile uploads without pause, rate limits lifted: what bounding the work does alone
  limited    the same attack with the default rate limits (6 checks per minute per address)

The hostile uploads alternate between the report with 1,500 copies of its signature revision appended (the
issue's 6.9 MB file) and one with 5 copies (within the size bound, refused by the signature count). Prints per
phase: /healthz p50, p99 and max, and the attack's requests, answers (200/429) and mean latency. Issue 13 measured
before this fix: two such uploads against 2 workers made /healthz take 15.6 s.

    .venv/bin/python benchmarks/verify_attack.py [--duration 15]
"""
import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from _django import BASE_DIR, setup


def signed_report():
    from django.core.management import call_command

    from actionplan.models import Membership, Plan, Role
    from monev import services
    from monev.models import Report

    call_command("make_demo_certificate", stdout=open(os.devnull, "w"))
    plan = Plan.objects.order_by("pk").first()
    ketua = Membership.objects.get(unit=plan.unit, role=Role.KETUA)
    kepala = Membership.objects.get(unit=plan.unit, role=Role.KEPALA)
    report = services.report_start(plan=plan, semester=1, user=ketua.user, membership=ketua)
    services.report_save(report=report, user=ketua.user, membership=ketua, number="800/1/2019",
                         conclusions="Capaian semester I.", recommendations=["Rapat evaluasi bulanan"], followups={})
    services.report_submit(report=report, user=ketua.user, membership=ketua)
    services.report_sign(report=report, user=kepala.user, membership=kepala)
    return Report.objects.get(pk=report.pk)


def with_copies(signed: bytes, copies: int) -> bytes:
    previous_eof = signed.rfind(b"%%EOF", 0, len(signed) - 8)
    return signed + signed[previous_eof + 5:] * copies


def request(port, method, path, body=None, headers=None, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.headers, data


def attacker(port, path, files, stop, stats):
    status, headers, body = request(port, "GET", path)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    i = 0
    while not stop.is_set():
        data = files[i % len(files)]
        i += 1
        boundary = uuid.uuid4().hex
        payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
                   f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"laporan.pdf\"\r\n"
                   f"Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        start = time.perf_counter()
        try:
            status, _h, _b = request(port, "POST", path, payload, {
                "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": f"csrftoken={cookie}",
                "Referer": f"http://127.0.0.1:{port}{path}"})
        except OSError:
            status = "error"
        stats.append((status, time.perf_counter() - start))


def probe(port, seconds):
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        status, _h, _b = request(port, "GET", "/healthz", timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
        time.sleep(0.02)
    return times


def phase(name, port, seconds, path=None, files=None):
    stop, stats, threads = threading.Event(), [], []
    if files:
        threads = [threading.Thread(target=attacker, args=(port, path, files, stop, stats)) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1)
    times = probe(port, seconds)
    stop.set()
    for t in threads:
        t.join()
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    line = (f"{name:8} /healthz n={len(times)} p50 {statistics.median(times):.1f} ms  p99 {p99:.1f} ms  "
            f"max {max(times):.1f} ms")
    if stats:
        codes = {}
        for status, _s in stats:
            codes[status] = codes.get(status, 0) + 1
        line += (f" | attack: {len(stats)} uploads, answers {codes}, mean "
                 f"{statistics.mean(s for _c, s in stats) * 1000:.0f} ms")
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()
    os.environ["MONEV_SIGNING_DIR"] = f"/tmp/zi-bench-sign-{uuid.uuid4().hex}"
    tmp = setup()
    report = signed_report()
    signed = report.signed_pdf.read()
    files = [with_copies(signed, 1500), with_copies(signed, 5)]
    print(f"signed report {len(signed) / 1024:.0f} KB; hostile uploads {len(files[0]) / 1e6:.1f} MB "
          f"and {len(files[1]) / 1024:.0f} KB", flush=True)
    path = f"/monev/verifikasi/{report.verification_code}/"
    venv_bin = Path(sys.executable).parent
    results = []
    for name, limits in (("quiet", None), ("bounded", "100000/60"), ("limited", "6/60")):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "RATE_LIMIT_VERIFY_CHECKS": limits or "6/60", "RATE_LIMIT_VERIFY_LOOKUPS": "100000/60"}
        server = subprocess.Popen([str(venv_bin / "gunicorn"), "zi_portal.wsgi:application", "--no-control-socket",
                                   "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"],
                                  cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    request(port, "GET", "/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
            results.append(phase(name, port, args.duration, path, files if limits else None))
        finally:
            server.terminate()
            server.wait(20)
    print(f"work folder {tmp} (throw-away)")


if __name__ == "__main__":
    main()
