"""Small builders shared by tests: real files and real service calls, no mocks."""
import datetime
import socket
from pathlib import Path

from django.conf import settings

SEED_FILE = Path(settings.BASE_DIR) / "fixtures" / "rencana-kerja-zi-dispendukcapil-lumajang-2019.xlsx"
PASSWORD = "uji-coba-zi-2019"


def pdf_bytes(text: str = "Bukti fisik", *, size_kb: int = 0) -> bytes:
    """A small, valid one-page PDF (enough for content checks and for browsers to open); with `size_kb`, padded
    to about that size by an unreferenced stream of the bytes 0..255 in order (so no name the upload check
    refuses, such as "/JS", can appear in it)."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if size_kb:
        pad = (bytes(range(256)) * (size_kb * 4 + 1))[: max(size_kb * 1024 - 700, 0)]
        objects.append(b"<< /Length %d >>\nstream\n" % len(pad) + pad + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def submit(target, user, *, files=None, description="Bukti", document_date=None):
    """Submit evidence through the real service, as the upload view does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from actionplan.models import Membership
    from evidence.services import evidence_submit

    files = files or [SimpleUploadedFile("sk-tim.pdf", pdf_bytes(), content_type="application/pdf")]
    return evidence_submit(target=target, user=user, membership=Membership.objects.get(
        user=user, unit=target.step.indicator.subcomponent.component.plan.unit), files=files,
        description=description, document_date=document_date or datetime.date(2019, 2, 20))


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now (for servers the tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(url: str) -> bool:
    """Does a Redis server answer at `url`?"""
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


EARLY_2019 = datetime.datetime(2019, 3, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def backdate_evidence(plan, when: datetime.datetime = EARLY_2019) -> None:
    """Move every upload, review decision and withdrawal of the plan to `when`, as if the work had been done then:
    tests that look at the plan as of a date in 2019 see what the services did in the test."""
    from evidence.models import ReviewDecision, Revision

    path = "target__step__indicator__subcomponent__component__plan"
    Revision.objects.filter(**{path: plan}).update(submitted_at=when, status_changed_at=when)
    ReviewDecision.objects.filter(**{f"revision__{path}": plan}).update(decided_at=when)
