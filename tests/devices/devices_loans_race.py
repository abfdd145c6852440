"""One contender of the allocation race (tests/devices/test_devices_concurrency.py), run in its own
process: its own ``create_app`` against the shared test database, signed in with its own API
token, it waits at the barrier and then asks the JSON API to lend the one device."""

from __future__ import annotations

import os
import traceback


def contend(database_url: str, instance: str, barrier, results, secret: str, body: dict
            ) -> None:
    """Put ``(pid, status, error code, message)`` on ``results`` (status 0: a crash)."""
    try:
        os.environ["WORKHUB_INSTANCE_PATH"] = instance
        from workhub import create_app

        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                          "INSTANCE_PATH": instance, "SECRET_KEY": "race-secret",
                          "AUTH_PROVIDERS": ["local"], "RATELIMIT_ENABLED": False})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        # Connect and sign in before the barrier, so that all of them start at the insert.
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        barrier.wait(timeout=120)
        response = client.post("/api/v1/allocations", json=body, headers=headers)
        error = response.json.get("error", {}) if response.is_json else {}
        results.put((os.getpid(), response.status_code, error.get("code"),
                     error.get("message")))
    except BaseException:  # noqa: BLE001 - reported to the test, which fails on it
        results.put((os.getpid(), 0, "crash", traceback.format_exc()))
