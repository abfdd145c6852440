"""Latency of the telework dashboard, statistics page and stats API on a city-sized data set.

Generates 10,000 staff × 24 months of sessions (~360,000, with bookings for 70 %) into a
fresh SQLite file and a fresh PostgreSQL database, schema from the migrations, with bulk
Core inserts; then signs in as HR through the Flask test client and measures p50/p95 of

* a bare Flask route (the floor: request handling, session cookie, user loading),
* ``GET /telework/`` (the dashboard), ``GET /telework/stats`` (12 months, no filter) and
  ``GET /api/v1/telework/stats``,

at each scale (1× = 10,000 staff; 4× and 16× multiply the staff). Goal: p95 ≤ 100 ms at 1×.

    .venv/bin/python bench/telework_stats.py                       # 1,4,16 on both
    .venv/bin/python bench/telework_stats.py --scales 1 --requests 50 --db sqlite
    .venv/bin/python bench/telework_stats.py --staff 1000 --scales 1   # a quick check

PostgreSQL: a database is created from WORKHUB_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

TOKYO = ZoneInfo("Asia/Tokyo")
BUREAUS, DIVISIONS, SECTIONS = 8, 5, 5  # 8 + 40 + 200 departments
MONTHS = 24
CHUNK = 20_000
HR_LOGIN, HR_PASSWORD = "bench-hr", "Bench-Password-2026"


# --- databases ---------------------------------------------------------------------------


@contextmanager
def fresh_database(kind: str, workdir: Path):
    """Yield the URL of an empty database of ``kind``; drop it afterwards."""
    if kind == "sqlite":
        path = workdir / f"bench-{secrets.token_hex(3)}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base = make_url(os.environ.get("WORKHUB_BENCH_DATABASE_URL",
                                   "postgresql://postgres@127.0.0.1:5432/test"))
    name = f"workhub_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield base.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, workdir: Path):
    from workhub import create_app

    instance = workdir / "instance"
    instance.mkdir(exist_ok=True)
    os.environ["WORKHUB_INSTANCE_PATH"] = str(instance)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "UPLOAD_DIR": str(instance / "uploads"),
        "SECRET_KEY": secrets.token_hex(16),
        "AUTH_PROVIDERS": ["local"],
        "RATELIMIT_ENABLED": False,
    })
    # The floor: a route with no work of its own, through the same app and hooks.
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    return app


# --- data --------------------------------------------------------------------------------


def month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    for back in range(months - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        out.append(date(index // 12, index % 12 + 1, 1))
    return out


def generate(app, staff: int, today: date, closed: bool = True,
             seed: int = 2020) -> dict[str, int]:
    """Fill the database: departments, staff, bookings, sessions, targets and (``closed``)
    the month closes of every past month. Bulk Core inserts (executemany), streamed month by
    month so memory stays flat."""
    from workhub.businessdays import business_days
    from workhub.extensions import db
    from workhub.org.models import Department, User, UserRole
    from workhub.telework.models import Booking, MonthClose, MonthlyTarget, TeleworkSession

    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    now = datetime.now(UTC)
    counts = {"departments": 0, "users": 0, "bookings": 0, "sessions": 0}
    from workhub.telework import rollup

    with app.app_context():
        conn = db.session.connection()
        # A bulk load: the roll-up triggers are dropped while the rows go in and the roll-up
        # is computed once at the end (row-by-row triggers made the PostgreSQL load 10× slower).
        rollup.drop_triggers(conn)
        depts, sections, bureaus = [], [], []
        next_id = 1
        for b in range(BUREAUS):
            bureau = next_id
            bureaus.append(bureau)
            depts.append({"id": bureau, "code": f"B{b:02d}", "name_ja": f"第{b + 1}局",
                          "name_en": f"Bureau {b + 1}", "parent_id": None})
            next_id += 1
            for d in range(DIVISIONS):
                division = next_id
                depts.append({"id": division, "code": f"B{b:02d}D{d}",
                              "name_ja": f"第{b + 1}局{d + 1}部", "name_en": None,
                              "parent_id": bureau})
                next_id += 1
                for s in range(SECTIONS):
                    depts.append({"id": next_id, "code": f"B{b:02d}D{d}S{s}",
                                  "name_ja": f"第{b + 1}局{d + 1}部{s + 1}課", "name_en": None,
                                  "parent_id": division})
                    sections.append(next_id)
                    next_id += 1
        conn.execute(insert(Department), depts)
        counts["departments"] = len(depts)

        user_rows, dept_of = [], {}
        for i in range(1, staff + 1):
            section = sections[i % len(sections)]
            dept_of[i] = section
            user_rows.append({"id": i, "login": f"staff{i:06d}", "display_name": f"職員 {i}",
                              "department_id": section, "active": True, "auth_source": "local",
                              "mail_opt_out": False, "created_at": now,
                              "updated_at": now})
            if len(user_rows) >= CHUNK:
                conn.execute(insert(User), user_rows)
                user_rows = []
        if user_rows:
            conn.execute(insert(User), user_rows)
        conn.execute(insert(UserRole), [{"user_id": i, "role": "employee"}
                                        for i in range(1, staff + 1)])
        counts["users"] = staff

        starts = month_starts(today, MONTHS)
        booking_id = session_id = 0
        bookings, sessions = [], []

        def flush(final: bool = False) -> None:
            nonlocal bookings, sessions
            if sessions and (final or len(sessions) >= CHUNK):
                # Bookings first: the sessions point at them.
                if bookings:
                    conn.execute(insert(Booking), bookings)
                    bookings = []
                conn.execute(insert(TeleworkSession), sessions)
                sessions = []

        targets = []
        for index, start in enumerate(starts):
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            days = [d for d in business_days(start, min(end, today)) if d <= today]
            # Growth over two years: from 0.5 to 2.5 sessions a person a month (1.5 average).
            rate = 0.5 + 2.0 * index / (MONTHS - 1)
            month = f"{start.year:04d}-{start.month:02d}"
            targets.append({"month": month, "department_id": None,
                            "target": 15_000 * staff // 10_000, "updated_at": now})
            targets.extend({"month": month, "department_id": b,
                            "target": 15_000 * staff // 10_000 // BUREAUS, "updated_at": now}
                           for b in bureaus)
            if not days:
                continue
            for uid in range(1, staff + 1):
                n = int(rate) + (rng.random() < rate - int(rate))
                for day in rng.sample(days, min(n, len(days))):
                    started = datetime(day.year, day.month, day.day, 8, 30, tzinfo=TOKYO) + (
                        timedelta(minutes=rng.randrange(0, 120)))
                    ended = started + timedelta(minutes=rng.randrange(120, 540))
                    roll = rng.random()
                    place = "home" if roll < 0.8 else "satellite" if roll < 0.95 else "other"
                    linked, slot = None, "full"
                    if rng.random() < 0.7:
                        booking_id += 1
                        linked = booking_id
                        roll = rng.random()
                        slot = "full" if roll < 0.8 else "am" if roll < 0.9 else "pm"
                        bookings.append({"id": booking_id, "user_id": uid, "day": day,
                                         "slot": slot, "place": place, "status": "approved",
                                         "created_at": now, "updated_at": now})
                    session_id += 1
                    sessions.append({"id": session_id, "user_id": uid, "day": day,
                                     "started_at": started.astimezone(UTC),
                                     "ended_at": ended.astimezone(UTC), "place": place,
                                     "booking_id": linked, "unplanned": linked is None,
                                     "slot": slot,
                                     "department_id": dept_of[uid], "created_at": now,
                                     "updated_at": now})
                flush()
        flush(final=True)
        rollup.rebuild(conn)
        rollup.install_triggers(conn)
        conn.execute(insert(MonthlyTarget), targets)
        if closed:
            # The steady state: HR closes each month after it ends; this month is open.
            conn.execute(insert(MonthClose), [
                {"month": f"{start:%Y-%m}", "closed_at": now} for start in starts[:-1]])
        counts["bookings"], counts["sessions"] = booking_id, session_id

        if db.engine.dialect.name == "postgresql":
            # Rows were given their ids: move the sequences past them.
            for table in ("departments", "users", "telework_bookings", "telework_sessions"):
                sql = (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                       f"(SELECT coalesce(max(id), 1) FROM {table}))")
                conn.execute(text(sql))
        from workhub.org.services import create_user

        create_user(HR_LOGIN, display_name="人事 ベンチ", roles=("hr",),
                    email="bench-hr@city.example.jp", password=HR_PASSWORD)
        db.session.commit()
        # Fresh tables need statistics (and, on PostgreSQL, a visibility map for index-only
        # scans): what autovacuum gives a production database after a bulk load.
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    return counts


# --- measuring ---------------------------------------------------------------------------


def signed_in_client(app):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"login": HR_LOGIN, "password": HR_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


ENDPOINTS = (
    ("bare Flask route", "/bench/bare"),
    ("dashboard", "/telework/"),
    ("stats page", "/telework/stats"),
    ("stats API", "/api/v1/telework/stats"),
)


def measure(client, path: str, requests: int, warmup: int = 3) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``requests`` GETs of ``path``."""
    for _ in range(warmup):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(path)
        response.get_data()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return statistics.median(times), p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,4,16", help="data multipliers, e.g. 1,4,16")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per endpoint")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--staff", type=int, default=10_000, help="staff at 1x (10,000)")
    parser.add_argument("--closed", choices=("past", "none"), default="past",
                        help="months closed by HR: every past month (the steady state) or "
                        "none (nothing can be remembered: every figure is counted afresh)")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    for kind in kinds:
        if kind not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {kind!r}")
    today = datetime.now(TOKYO).date()
    print(f"telework statistics benchmark: {args.staff:,} staff at 1x, {MONTHS} months up to "
          f"{today}, past months closed: {args.closed}, {args.requests} requests per endpoint, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="workhub-bench-") as tmp:
        workdir = Path(tmp)
        for kind in kinds:
            for scale in scales:
                with fresh_database(kind, workdir) as url:
                    app = make_app(url, workdir)
                    from workhub.extensions import db
                    from workhub.migrate import upgrade

                    with app.app_context():
                        upgrade()
                    t0 = time.perf_counter()
                    counts = generate(app, args.staff * scale, today,
                                      closed=args.closed == "past")
                    generated = time.perf_counter() - t0
                    print(f"{kind} {scale}x: {counts['sessions']:,} sessions, "
                          f"{counts['bookings']:,} bookings, {counts['users']:,} staff "
                          f"generated in {generated:.1f} s", flush=True)
                    client = signed_in_client(app)
                    for label, path in ENDPOINTS:
                        p50, p95 = measure(client, path, args.requests)
                        rows.append((kind, f"{scale}x", f"{counts['sessions']:,}",
                                     f"{generated:.0f} s", label, f"{p50:.1f}", f"{p95:.1f}"))
                        print(f"  {label:<17} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
                    with app.app_context():
                        db.engine.dispose()
    headers = ("database", "scale", "sessions", "generation", "endpoint", "p50 ms", "p95 ms")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
