"""Downloads after the permission check, in the three ways FILE_DELIVERY offers, and evidence on S3-compatible
object storage (a real S3 API server, moto's, on loopback — the same django-storages code that talks to MinIO or
AWS)."""
import hashlib
import urllib.parse
import urllib.request

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceFile

from .factories import free_port, pdf_bytes, submit


def _pdf_upload(text="SK Tim ZI"):
    return SimpleUploadedFile("sk tim zi.pdf", pdf_bytes(text), content_type="application/pdf")


@pytest.mark.django_db
def test_accel_delivery_hands_the_file_to_nginx_only_after_the_permission_check(client, login, settings,
                                                                                assigned_target, anggota, ketua,
                                                                                outsider):
    settings.FILE_DELIVERY = "accel"
    revision = submit(assigned_target, anggota, files=[_pdf_upload()])
    row = revision.files.get()
    url = reverse("evidence:download", kwargs={"file_id": row.pk})

    login(ketua)
    response = client.get(url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + urllib.parse.quote(row.file.name)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="sk tim zi.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"

    login(outsider)
    refused = client.get(url)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused
    client.logout()
    assert "X-Accel-Redirect" not in client.get(url)


@pytest.fixture(scope="module")
def s3_server():
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is in requirements.txt")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def on_s3(s3_server, settings):
    """Evidence and reports on a private bucket of the S3 server, configured as production would be."""
    credentials = {"aws_access_key_id": "zi-test", "aws_secret_access_key": "zi-test-secret"}
    s3 = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **credentials)
    bucket = f"portal-zi-{free_port()}"
    s3.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": bucket, "endpoint_url": s3_server, "region_name": "us-east-1",
        "access_key": credentials["aws_access_key_id"], "secret_key": credentials["aws_secret_access_key"],
        "signature_version": "s3v4", "default_acl": "private", "querystring_auth": True,
        "querystring_expire": 60, "file_overwrite": False, "addressing_style": "path"}}}
    settings.AWS_QUERYSTRING_EXPIRE = 60
    yield s3, bucket


@pytest.mark.django_db
def test_evidence_lives_on_object_storage_and_downloads_stream_after_the_check(client, login, on_s3,
                                                                               assigned_target, anggota, ketua,
                                                                               outsider):
    s3, bucket = on_s3
    login(anggota)
    response = client.post(reverse("evidence:upload", kwargs={"target_id": assigned_target.pk}), {
        "files": [_pdf_upload("di S3")], "description": "SK", "document_date": "2019-02-20"})
    assert response.status_code == 302
    row = EvidenceFile.objects.get()
    stored = s3.get_object(Bucket=bucket, Key=row.file.name)["Body"].read()
    assert stored == pdf_bytes("di S3") and hashlib.sha256(stored).hexdigest() == row.sha256

    login(ketua)
    download = client.get(reverse("evidence:download", kwargs={"file_id": row.pk}))
    assert download.status_code == 200 and b"".join(download.streaming_content) == stored
    login(outsider)
    assert client.get(reverse("evidence:download", kwargs={"file_id": row.pk})).status_code == 404


@pytest.mark.django_db
def test_redirect_delivery_gives_a_signed_short_lived_url_only_after_the_check(client, login, settings, on_s3,
                                                                               assigned_target, anggota, ketua,
                                                                               outsider):
    settings.FILE_DELIVERY = "redirect"
    s3, bucket = on_s3
    row = submit(assigned_target, anggota, files=[_pdf_upload("tertandatangan")]).files.get()
    url = reverse("evidence:download", kwargs={"file_id": row.pk})

    login(outsider)
    assert client.get(url).status_code == 404

    login(ketua)
    response = client.get(url)
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    signed = urllib.parse.urlparse(response["Location"])
    query = urllib.parse.parse_qs(signed.query)
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    assert query["response-content-type"] == ["application/pdf"]
    assert query["response-content-disposition"][0].startswith("inline;")
    with urllib.request.urlopen(response["Location"], timeout=10) as fetched:
        assert fetched.read() == pdf_bytes("tertandatangan")
    # Without the signature the object is private.
    unsigned = f"{signed.scheme}://{signed.netloc}{signed.path}"
    assert unsigned.endswith(urllib.parse.quote(row.file.name))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=10)
    assert refused.value.code == 403
