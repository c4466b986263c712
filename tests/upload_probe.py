"""Run by tests/test_upload_limits.py in a fresh process: one request, and how far it raised the peak memory.

    python tests/upload_probe.py SQLITE_URL PATH CONTENT_TYPE BODY_FILE

Prints one JSON line: the status, the JSON answer and the growth of the peak RSS (VmHWM, reset just before the
request) over the resident size then, in MB. A fresh process, so no earlier test's memory is in the figure; the body
is streamed from its file, as a server reads it, so only the app's own memory is counted.
"""
from __future__ import annotations

import gc
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.datastructures import FileStorage  # noqa: E402
from werkzeug.test import encode_multipart  # noqa: E402

from distribusi import create_app  # noqa: E402
from distribusi.config import TestConfig  # noqa: E402


def memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def main(url: str, path: str, content_type: str, body_file: str) -> None:
    from distribusi.admin.services import create_office, create_user
    from distribusi.auth.services import issue_token
    from distribusi.extensions import db

    settings = {name: getattr(TestConfig, name) for name in dir(TestConfig) if name.isupper()}
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        office = create_office("PKU", "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru")
        clerk = create_user(office, {"username": "fo", "password": "rahasia-sekali-123", "full_name": "Petugas FO",
                                     "role": "clerk", "courier_partner_id": None})
        token, _ = issue_token(clerk)
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        # A small request of the same kind first, so lazy imports (openpyxl, phone metadata) are not counted.
        if content_type.startswith("multipart/"):
            boundary, small = encode_multipart({"file": FileStorage(io.BytesIO(b"x"), "kecil.csv")})
            client.post(path, data=small, content_type=f"multipart/form-data; boundary={boundary}", headers=headers)
        else:
            client.post(path, data=b"{}", content_type=content_type, headers=headers)

        gc.collect()
        body = Path(body_file)
        with body.open("rb") as stream:
            Path("/proc/self/clear_refs").write_text("5")  # the peak so far (password hashing) is forgotten
            before = memory_mb("VmRSS")
            response = client.post(path, input_stream=stream, content_length=body.stat().st_size,
                                   content_type=content_type, headers=headers)
            peak = memory_mb("VmHWM")
        print(json.dumps({"status": response.status_code, "body": response.get_json(),
                          "growth_mb": round(max(0.0, peak - before), 1)}))
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
