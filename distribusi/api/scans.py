"""Courier scans (single and offline batch) and proof-of-delivery photos."""
from flask import Response, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, get_in_office, json_body
from distribusi.api.schemas import PhotoOut, ScanBatchIn, ScanBatchOut
from distribusi.courier import photos, services
from distribusi.courier.models import DeliveryPhoto
from distribusi.courier.schemas import ScanIn, ScanOut
from distribusi.errors import ApiError, answer_of
from distribusi.extensions import db
from distribusi.problems import Problem

MAX_BATCH = 500


def _scan_once(payload) -> services.ScanResult:
    """One scan in its own transaction; a twin request racing on the same key is answered from the record."""
    try:
        result = services.record_scan(current_user(), payload)
        db.session.commit()
        return result
    except IntegrityError:
        db.session.rollback()
        result = services.record_scan(current_user(), payload)  # now finds the twin's record
        db.session.commit()
        return result


@api_route(bp, "/scans", methods=("POST",), verb="record_scans", summary="Catat satu pindaian kurir",
           body=ScanIn, response=ScanOut, status=(201, 200))  # 200: the same idempotency key again
def record_scan():
    result = _scan_once(json_body())
    return result.body, result.status


@api_route(bp, "/scans/batch", methods=("POST",), verb="record_scans",
           summary="Kirim antrean pindaian luring (maks. 500); satu hasil per butir, berurutan",
           body=ScanBatchIn, response=ScanBatchOut)
def record_batch():
    payload = json_body()
    items = payload.get("scans") if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not items:
        raise ApiError(422, "Kirim daftar pindaian (JSON array atau {\"scans\": [...]}).", fields={"scans": ["Wajib diisi."]})
    if len(items) > MAX_BATCH:
        raise ApiError(422, f"Maksimal {MAX_BATCH} pindaian per kiriman.", fields={"scans": [f"Maksimal {MAX_BATCH}."]})
    results = []
    for index, item in enumerate(items):
        try:
            result = _scan_once(item)
            results.append({"index": index, "status": result.status, "result": result.body})
        except (Problem, ValidationError) as error:  # one bad item does not stop the queue behind it
            db.session.rollback()
            status, body = answer_of(error)
            results.append({"index": index, "status": status, "error": body})
    return {"results": results}


@api_route(bp, "/scans/<int:event_id>/photo", methods=("POST",), verb="record_scans",
           summary="Unggah foto bukti penyerahan (JPEG/PNG, maks. 5 MB, 4096 px)", status=201,
           response=PhotoOut, content_type="multipart/form-data")
def upload_photo(event_id: int):
    upload = request.files.get("file") or request.files.get("photo")
    if upload is None:
        raise ApiError(422, "Unggah foto pada kolom \u201cfile\u201d.", fields={"file": ["Wajib diisi."]})
    photo = photos.store_photo(current_user(), event_id, upload.read(photos.MAX_BYTES + 1))
    db.session.commit()
    return {"id": photo.id, "event_id": event_id, "width": photo.width, "height": photo.height,
            "size_bytes": photo.size_bytes}, 201


@api_route(bp, "/photos/<int:photo_id>", verb="view_photos", summary="Foto bukti penyerahan (staf kantor)",
           response="image/jpeg")
def get_photo(photo_id: int):
    photo = get_in_office(DeliveryPhoto, photo_id)
    return Response(photos.photo_bytes(photo), mimetype="image/jpeg",
                    headers={"Cache-Control": "private, no-store"})
