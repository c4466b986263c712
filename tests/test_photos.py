"""Proof-of-delivery photos: checked by content, stripped of metadata, stored privately, shown to office staff only."""
from __future__ import annotations

import io
import os
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image

from distribusi.courier.models import DeliveryPhoto
from distribusi.extensions import db

from flow import DELIVERED, handed_over_recap, scan

GPS_IFD = 0x8825
MB = 1024 * 1024


def image_bytes(fmt: str = "JPEG", size=(64, 48), mode: str = "RGB", noise: bool = False, **save) -> bytes:
    image = Image.effect_noise(size, 64).convert(mode) if noise else Image.new(mode, size, "red")
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A phone-like JPEG whose EXIF holds the camera make and where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "KameraKurirMerek"
    exif[GPS_IFD] = {1: "S", 2: (0.0, 31.0, 0.0), 3: "E", 4: (101.0, 26.0, 0.0)}
    return image_bytes(exif=exif)


def svg() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<script>alert(1)</script><rect width="10" height="10"/></svg>')


@pytest.fixture
def delivery(crew, documents) -> dict:
    """The courier's delivered scan of a parcel: {"event_id", "accept_event_id", "tracking_code"}."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    code = recap["parcels"][0]["tracking_code"]
    accepted = scan(crew.courier, code, "accept").get_json()
    scan(crew.courier, code, "out_for_delivery")
    delivered = scan(crew.courier, code, "delivered", **DELIVERED)
    assert delivered.status_code == 201
    return {"event_id": delivered.get_json()["event_id"], "accept_event_id": accepted["event_id"],
            "tracking_code": code, "other_code": recap["parcels"][1]["tracking_code"]}


def upload(courier, event_id: int, content: bytes, filename: str = "bukti.jpg"):
    # The body is encoded here: werkzeug's test client spools a large body to a temporary file it never closes.
    boundary = f"batas-{uuid.uuid4().hex}"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n")
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return courier.post(f"/api/v1/scans/{event_id}/photo", data=body,
                        content_type=f"multipart/form-data; boundary={boundary}")


def stored_files(app) -> list[str]:
    folder = os.path.join(app.instance_path, "photos")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def photo_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryPhoto))


def test_a_jpeg_is_stored_without_its_gps(app, crew, delivery):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the source really carries a location

    response = upload(crew.courier, delivery["event_id"], original, filename="IMG_20261122_lokasi.jpg")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["event_id"], body["width"], body["height"]) == (delivery["event_id"], 64, 48)
    [name] = stored_files(app)
    assert "IMG_" not in name and "lokasi" not in name
    assert name.removesuffix(".jpg") != "" and len(name.removesuffix(".jpg")) >= 32  # random, not guessable
    with open(os.path.join(app.instance_path, "photos", name), "rb") as handle:
        stored = handle.read()
    assert body["size_bytes"] == len(stored)
    cleaned = Image.open(io.BytesIO(stored))
    assert cleaned.format == "JPEG"
    assert len(cleaned.getexif()) == 0 and not cleaned.getexif().get_ifd(GPS_IFD)
    assert "exif" not in cleaned.info
    assert b"Exif" not in stored and b"KameraKurirMerek" not in stored
    photo = db.session.get(DeliveryPhoto, body["id"])
    assert photo.storage_name == name and photo.uploaded_by_id == crew.courier.user_id


@pytest.mark.parametrize("content, filename", [
    (lambda: image_bytes("PNG", mode="RGBA"), "bukti.png"),
    (lambda: image_bytes("JPEG", mode="L"), "foto"),
], ids=["png-with-alpha", "grey-jpeg-without-extension"])
def test_other_real_photos_are_accepted(app, crew, delivery, content, filename):
    response = upload(crew.courier, delivery["event_id"], content(), filename)

    assert response.status_code == 201, response.get_json()
    [name] = stored_files(app)
    with open(os.path.join(app.instance_path, "photos", name), "rb") as handle:
        assert Image.open(handle).format == "JPEG"


def _truncated() -> bytes:
    whole = image_bytes(size=(256, 256), noise=True)
    return whole[: len(whole) // 2]


REFUSED = [
    ("html-renamed", lambda: b"<html><body><script>alert(1)</script></body></html>", "photo.jpg"),
    ("svg", svg, "bukti.svg"),
    ("truncated-jpeg", _truncated, "bukti.jpg"),
    ("6-mb", lambda: b"\xff\xd8\xff\xe0" + b"\0" * (6 * MB), "besar.jpg"),
    ("wider-than-4096", lambda: image_bytes("PNG", size=(4097, 8), mode="L"), "lebar.png"),
    ("taller-than-4096", lambda: image_bytes("PNG", size=(8, 5000), mode="L"), "tinggi.png"),
    ("gif", lambda: image_bytes("GIF"), "bukti.gif"),
    ("empty", lambda: b"", "kosong.jpg"),
]


def test_anything_but_a_whole_photo_is_refused(app, crew, delivery, subtests):
    for case, content, filename in REFUSED:
        with subtests.test(case):
            response = upload(crew.courier, delivery["event_id"], content(), filename)

            assert response.status_code == 422, response.get_json()
            assert "file" in response.get_json()["error"]["fields"]
            assert stored_files(app) == [] and photo_rows() == 0


def test_a_missing_file_is_422(crew, delivery):
    response = crew.courier.post(f"/api/v1/scans/{delivery['event_id']}/photo", data={},
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]


def _accept_event(crew, delivery, login_as):
    return crew.courier, delivery["accept_event_id"]


def _colleagues_delivery(crew, delivery, login_as):
    colleague = login_as("courier")
    code = delivery["other_code"]
    for action in ("accept", "out_for_delivery"):
        scan(colleague, code, action)
    event = scan(colleague, code, "delivered", **DELIVERED).get_json()["event_id"]
    return crew.courier, event


def _someone_elses_delivery(crew, delivery, login_as):
    return login_as("courier"), delivery["event_id"]


def _letter_event(crew, delivery, login_as):
    from distribusi.custody import CustodyEvent

    event = db.session.scalar(sa.select(CustodyEvent.id).where(CustodyEvent.subject_type == "letter"))
    return crew.courier, event


def test_a_photo_only_for_the_couriers_own_delivery(app, crew, delivery, login_as, subtests):
    for target in (_accept_event, _colleagues_delivery, _someone_elses_delivery, _letter_event):
        with subtests.test(target.__name__.strip("_")):
            courier, event_id = target(crew, delivery, login_as)

            response = upload(courier, event_id, jpeg_with_gps())

            assert response.status_code == 404, response.get_json()
            assert stored_files(app) == [] and photo_rows() == 0


def test_a_photo_is_shown_to_the_offices_staff_only(crew, delivery, login_as, other_office, subtests):
    photo = upload(crew.courier, delivery["event_id"], jpeg_with_gps()).get_json()
    viewers = [("kasubbag", login_as("kasubbag"), 200), ("clerk", login_as("clerk"), 200),
               ("operator", login_as("operator"), 200), ("head", login_as("head"), 200),
               ("courier-who-took-it", crew.courier, 403),
               ("other-office-kasubbag", login_as("kasubbag", other_office), 404)]
    for case, api, status in viewers:
        with subtests.test(case):
            response = api.get(f"/api/v1/photos/{photo['id']}")

            assert response.status_code == status
            if status == 200:
                assert response.mimetype == "image/jpeg"
                assert response.data.startswith(b"\xff\xd8") and b"Exif" not in response.data
                assert "no-store" in response.headers["Cache-Control"]
            else:
                assert response.get_json()["error"]["code"] in {"forbidden", "not_found"}


def test_an_unknown_photo_or_event_is_404(login_as):
    assert login_as("kasubbag").get("/api/v1/photos/999999").status_code == 404
    assert upload(login_as("courier"), 999_999, jpeg_with_gps()).status_code == 404
