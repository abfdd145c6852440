"""Shared pieces of the meeting, upload and job tests: an organisation, meetings, and
recordings made in a temporary folder (a tone, hostile files, a video without sound)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.transcription.transcription_helpers import write_wav
from workhub.extensions import db
from workhub.meetings import services as svc
from workhub.meetings.models import Meeting
from workhub.org.models import User

PASSWORD = "Meeting-Password-2026"


@pytest.fixture
def org(app, make_department, make_user, fast_hashing):
    """Two departments: SEC (a secretary, a manager, an employee) and OTH (an employee and a
    secretary), and an administrator; their logins by role."""
    make_department("SEC", "秘書課", name_en="Secretariat")
    make_department("OTH", "他課", name_en="Other division")
    people = {
        "sec": make_user("sec", ("employee", "secretary"), "SEC", password=PASSWORD),
        "boss": make_user("boss", ("employee", "manager"), "SEC", password=PASSWORD),
        "emp": make_user("emp", ("employee",), "SEC", password=PASSWORD),
        "out": make_user("out", ("employee",), "OTH", password=PASSWORD),
        "sec2": make_user("sec2", ("employee", "secretary"), "OTH", password=PASSWORD),
        "admin": make_user("admin", ("admin",), password=PASSWORD),
    }
    return people


def user(login: str) -> User:
    return db.session.scalar(db.select(User).where(User.login == login))


def make_meeting(organiser: str = "boss", *, participants=("emp",), language="ja",
                 title="定例会議") -> Meeting:
    meeting = svc.create_meeting(user(organiser), svc.MeetingData(
        title=title, starts_at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
        language=language, logins=list(participants), externals=["山田 花子 / 市民委員"],
        agenda=["予算", "日程"]))
    db.session.commit()
    return meeting


def tone(path: Path, seconds: float = 0.5, channels: int = 1) -> Path:
    t = np.arange(int(16000 * seconds)) / 16000
    signal = 0.3 * np.sin(2 * np.pi * 440 * t)
    return write_wav(path, signal if channels == 1 else np.stack([signal, signal], axis=1))


def webm_tone(path: Path, seconds: float = 0.5) -> Path:
    """A tone as WebM/Opus, what Chromium's MediaRecorder uploads."""
    import av

    rate = 48000
    t = np.arange(int(rate * seconds)) / rate
    signal = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(signal, format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    return path


def silent(path: Path) -> Path:
    return write_wav(path, np.zeros(8000))


def truncated(path: Path) -> Path:
    data = tone(path, seconds=2.0).read_bytes()
    path.write_bytes(data[: len(data) // 4])  # the header still announces 2 s
    return path


def video_without_sound(path: Path) -> Path:
    import av

    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), i * 40, dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
