"""Benchmark: upload a 100 MB PDF through the real upload view, over HTTP, to a real server process.

Starts `manage.py runserver --noreload` on a throw-away database with the demo data, logs in as `anggota1`,
streams a multipart POST of a generated 100 MB PDF from disk (the client never holds it in memory), and prints
the time and the server process's peak memory growth (VmHWM after the upload minus VmHWM after a warm-up request).
Aim: memory growth < 30 MB.

    .venv/bin/python benchmarks/upload.py [--mb 100]
"""
import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from _django import BASE_DIR, setup


def make_pdf(path: Path, mb: int) -> None:
    """A valid PDF whose page carries a big (uncompressed, random) image stream."""
    size = mb * 1024 * 1024
    with path.open("wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
                b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >>\nendobj\n")
        f.write(b"4 0 obj\n<< /Length %d >>\nstream\n" % size)
        chunk = bytes(range(256)) * 4096  # 1 MiB of varied bytes, no "/JS"-like names
        for _ in range(mb):
            f.write(chunk)
        f.write(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def vm_hwm_kb(pid: int) -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


class Session:
    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.headers, data

    def csrf(self, path):
        _status, _h, body = self.request("GET", path)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    tmp = setup(fast_hashers=False)
    from actionplan.models import Target

    target = Target.objects.filter(step__assignments__user__username="anggota1", due_date__isnull=False).first()
    pdf = tmp / "besar.pdf"
    make_pdf(pdf, args.mb)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "EVIDENCE_MAX_UPLOAD_MB": str(args.mb + 10), "FILE_UPLOAD_TEMP_DIR": str(tmp)}
    server = subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "runserver", "--noreload",
                               f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        session = Session(port)
        for _ in range(100):
            try:
                session.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        token = session.csrf("/masuk/")
        body = f"csrfmiddlewaretoken={token}&username=anggota1&password=zi-demo-2019".encode()
        status, _h, _b = session.request("POST", "/masuk/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/masuk/"})
        assert status == 302, status
        url = f"/bukti/target/{target.pk}/unggah/"
        token = session.csrf(url)  # warm-up: the upload page itself
        baseline = vm_hwm_kb(server.pid)

        boundary = uuid.uuid4().hex
        fields = {"csrfmiddlewaretoken": token, "description": "Benchmark 100 MB", "document_date": "2019-02-20"}
        head = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
                        for k, v in fields.items())
        head += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"besar.pdf\"\r\n"
                 f"Content-Type: application/pdf\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + pdf.stat().st_size + len(tail)

        def stream():
            yield head
            with pdf.open("rb") as f:
                while chunk := f.read(1024 * 1024):
                    yield chunk
            yield tail

        start = time.perf_counter()
        status, _headers, _data = session.request("POST", url, stream(), {
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length),
            "Referer": f"http://127.0.0.1:{port}{url}"})
        seconds = time.perf_counter() - start
        peak = vm_hwm_kb(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    from evidence.models import EvidenceFile

    stored = EvidenceFile.objects.filter(revision__target=target).first()
    print(f"upload of {args.mb} MB PDF: HTTP {status}, {seconds:.2f} s ({args.mb / seconds:.0f} MB/s)")
    print(f"stored: {stored.size if stored else 0} bytes, sha256 {stored.sha256[:16] if stored else '-'}…")
    print(f"server peak memory: {baseline / 1024:.1f} MB before, {peak / 1024:.1f} MB after, "
          f"growth {(peak - baseline) / 1024:.1f} MB (aim < 30 MB)")


if __name__ == "__main__":
    main()
