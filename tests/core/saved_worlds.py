"""Build a test world once per run, then put it back for each test that needs it.

Building the access matrix's world goes through the services (users, tokens, devices, surveys,
meetings ...) and costs far more than the one request each test makes. ``saved_world`` builds
it the first time a key is asked for, keeps every row (``table_rows``) and the files the build
wrote under the instance folder, and from then on writes those rows back (``Restore``) into the
empty database each test starts with, and rewrites any of those files a test changed or deleted.
A test therefore sees the same database as after a fresh build, whichever tests ran before it,
and still runs alone (it then builds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.dbstate import Restore, empty_tables, table_rows
from workhub.extensions import db


@dataclass
class _Saved:
    value: Any  # what the build returned (ids, secrets, the signed-in user)
    restore: Restore
    files: dict[Path, bytes]


_SAVED: dict[object, _Saved] = {}


def _file_stamps(folder: Path) -> dict[Path, tuple[int, int]]:
    stamps = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            stamps[path] = (stat.st_mtime_ns, stat.st_size)
    return stamps


def saved_world(app, key: object, build: Callable[[], Any]) -> Any:
    """Return what ``build()`` returned, with the database and the instance files as it left
    them. Call it at the start of a test (the database is empty then); ``key`` names the world
    (one build per key and run)."""
    saved = _SAVED.get(key)
    if saved is None:
        folder = Path(app.config["INSTANCE_PATH"])
        before = _file_stamps(folder)
        value = build()
        rows = table_rows(app)
        files = {path: path.read_bytes() for path, stamp in _file_stamps(folder).items()
                 if before.get(path) != stamp}
        saved = _Saved(value, Restore(rows), files)
        # Put it back at once, twice (the first restore builds the statement, the next ones
        # resend it), so every test runs on a restored world and a restore that is not exact
        # fails here, naming no route.
        for _ in range(2):
            with app.app_context():
                empty_tables(db.session.connection())
                db.session.commit()
            saved.restore(app)
            assert table_rows(app) == rows, "restoring the saved rows gave another database"
        _SAVED[key] = saved
        return value
    saved.restore(app)
    for path, content in saved.files.items():
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    return saved.value
