"""Hostile media never touches the web process or the worker (issue 14): recordings are
read only as the format their extension names and only from the local file, decoded in a
child process with memory, CPU and wall-clock limits, refused past the longest length
accepted, and decoded by the worker to files read piece by piece."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from sqlalchemy import func, select

from tests.dbstate import snapshot
from tests.office import csrf_token, login
from tests.transcription.transcription_helpers import EN_CLIP, MP3_CLIP, instance_dir
from tests.transcription.transcription_meetings_helpers import (  # noqa: F401 - fixtures
    PASSWORD,
    files_under,
    make_meeting,
    org,
    silent,
    tone,
    user,
)
from transcription import pcm, sandbox
from transcription import recordings as rec
from transcription.audio import DEMUXERS, AudioError
from transcription.chunking import VAD_BLOCK_S, vad_blocks
from transcription.models import Recording
from workhub.config import load_config
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.jobs.worker import Worker

pytestmark = pytest.mark.usefixtures("english", "org")


def _upload(meeting, data: bytes, name: str) -> Recording:
    return rec.upload_recording(meeting, user("sec"), io.BytesIO(data), name)


def _refusal(meeting, data: bytes, name: str) -> rec.UploadError:
    with pytest.raises(rec.UploadError) as refused:
        _upload(meeting, data, name)
    db.session.rollback()
    assert refused.value.status == 422 and refused.value.field == "file"
    return refused.value


def opus_ogg(path: Path, seconds: float, level: float = 0.0, seed: int = 5) -> Path:
    """An Ogg/Opus file of ``seconds``, made in a blink: one encoded 20 ms packet of silence
    (or of noise at ``level``) muxed again and again, a few kB a minute."""
    rate, size = 48000, 960
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate, layout="mono")
        stream.bit_rate = 6000
        noise = np.random.default_rng(seed).normal(0, level, (1, size)) if level else None
        packets = []
        for i in range(6):
            samples = noise if noise is not None else np.zeros((1, size))
            frame = av.AudioFrame.from_ndarray(samples.astype(np.float32), format="flt",
                                               layout="mono")
            frame.sample_rate, frame.pts = rate, i * size
            packets += [bytes(p) for p in stream.encode(frame)]
        data = packets[-1]
        for i in range(int(seconds * rate / size)):
            packet = av.Packet(data)
            packet.stream, packet.time_base = stream, Fraction(1, rate)
            packet.pts = packet.dts = i * size
            packet.duration = size
            out.mux(packet)
    return path


def wav_claiming(path: Path, claimed_s: float, actual_s: float) -> Path:
    """A 16 kHz WAV whose header announces ``claimed_s`` but which holds ``actual_s``."""
    t = np.arange(int(16000 * actual_s)) / 16000
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm)
    data = bytearray(path.read_bytes())
    claimed = int(claimed_s * 32000)
    data[4:8] = (36 + claimed).to_bytes(4, "little")
    data[40:44] = claimed.to_bytes(4, "little")  # the data chunk's size
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def listener():
    """A loopback TCP server that records whether anything connected to it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    connections: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                connections.append(conn.recv(200))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


def _hls(target: str) -> bytes:
    return (f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:11\n#EXTINF:11.0,\n{target}\n"
            "#EXT-X-ENDLIST\n").encode()


PLAYLISTS = {  # name → (uploaded file name, content with {port} for the listener)
    "hls_local_file": ("meeting.mp3", _hls("seg.wav")),
    "hls_discard_port": ("meeting.mp3", _hls("http://127.0.0.1:9/seg.ts")),
    "hls_listener": ("meeting.mp3", _hls("http://127.0.0.1:{port}/seg.ts")),
    "concat_local_file": ("meeting.mp3", b"ffconcat version 1.0\nfile seg.wav\n"),
    "concat_named_wav": ("meeting.wav", b"ffconcat version 1.0\nfile seg.wav\n"),
    "concat_listener": ("meeting.ogg",
                        b"ffconcat version 1.0\nfile http://127.0.0.1:{port}/seg.wav\n"),
}


@pytest.mark.parametrize("kind", list(PLAYLISTS))
def test_playlists_renamed_as_media_are_refused_and_open_nothing(app_ctx, uploads, listener,
                                                                 kind):
    port, connections = listener
    name, content = PLAYLISTS[kind]
    # The local file they point at lies beside the spooled upload (FFmpeg's concat demuxer
    # refuses other folders by itself): were the playlist followed, that clip would be
    # probed and accepted.
    spool = uploads / "recordings" / "tmp"
    spool.mkdir(parents=True)
    (spool / "seg.wav").write_bytes(EN_CLIP.read_bytes())
    refused = _refusal(make_meeting(), content.replace(b"{port}", str(port).encode()), name)
    assert refused.code == "not_media"
    assert refused.message == "The file is not an audio or video recording."
    assert connections == []
    assert db.session.scalar(select(func.count(Recording.id))) == 0


def test_the_container_is_the_one_the_extension_names(app_ctx, uploads, tmp_path):
    meeting = make_meeting()
    wav = tone(tmp_path / "t.wav").read_bytes()
    assert _refusal(meeting, wav, "recording.webm").code == "not_media"
    assert _refusal(meeting, MP3_CLIP.read_bytes(), "clip.ogg").code == "not_media"
    assert _upload(meeting, MP3_CLIP.read_bytes(), "clip.mp3").content_type == "audio/mpeg"
    assert set(DEMUXERS) == set(rec.CONTENT_TYPES)
    assert set(DEMUXERS.values()) <= av.formats_available


def test_a_header_announcing_more_than_the_hours_allowed_is_refused_unread(app_ctx, uploads,
                                                                           tmp_path):
    claiming = wav_claiming(tmp_path / "claims.wav", claimed_s=10 * 3600, actual_s=1.0)
    assert claiming.stat().st_size < 40_000
    refused = _refusal(make_meeting(), claiming.read_bytes(), "claims.wav")
    assert refused.code == "too_long"
    assert refused.message == ("The recording is longer than 8 hours: split it and upload "
                               "the parts.")
    assert files_under(uploads) == []


def test_a_header_announcing_hours_within_the_limit_is_not_believed(app_ctx, uploads,
                                                                    tmp_path):
    claiming = wav_claiming(tmp_path / "claims.wav", claimed_s=5 * 3600, actual_s=2.0)
    assert _refusal(make_meeting(), claiming.read_bytes(), "claims.wav").code == "truncated"


@pytest.mark.parametrize("ext", ["wav", "m4a", "flac"])
def test_truncated_files_are_refused(app_ctx, uploads, tmp_path, ext):
    path = tmp_path / f"whole.{ext}"
    with av.open(str(EN_CLIP)) as source, av.open(str(path), "w") as out:
        codec = {"wav": "pcm_s16le", "m4a": "aac", "flac": "flac"}[ext]
        stream = out.add_stream(codec, rate=16000, layout="mono")
        for frame in source.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    data = path.read_bytes()
    refused = _refusal(make_meeting(), data[: len(data) // 2], f"cut.{ext}")
    assert refused.code == "truncated"


def test_a_five_hour_silent_recording_is_refused_as_silent(app_ctx, uploads, tmp_path):
    path = opus_ogg(tmp_path / "five-hours.ogg", 5 * 3600)
    assert path.stat().st_size < 8 * 1024 * 1024
    refused = _refusal(make_meeting(), path.read_bytes(), "five-hours.ogg")
    assert refused.code == "silent"
    assert files_under(uploads) == []


def test_a_recording_longer_than_allowed_is_refused_by_decoding(app, app_ctx, uploads,
                                                                tmp_path, monkeypatch):
    # Ogg states no exact length: the refusal comes from counting decoded samples.
    monkeypatch.setitem(app.config, "MAX_RECORDING_HOURS", 60 / 3600)
    path = opus_ogg(tmp_path / "noise.ogg", 90, level=0.1)
    refused = _refusal(make_meeting(), path.read_bytes(), "noise.ogg")
    assert refused.code == "too_long"
    assert refused.message == ("The recording is longer than 0.0166667 hours: split it and "
                               "upload the parts.")


def _meeting_id(app) -> int:
    with app.app_context():
        return make_meeting().id


@pytest.mark.parametrize("api", [False, True])
def test_too_long_on_the_page_and_in_the_api(app, client, uploads, tmp_path, monkeypatch, api):
    monkeypatch.setitem(app.config, "MAX_RECORDING_HOURS", 0.5)
    meeting_id = _meeting_id(app)
    login(client, "sec", PASSWORD)
    token = csrf_token(client, f"/meetings/{meeting_id}")
    before = snapshot(app)
    claiming = wav_claiming(tmp_path / "claims.wav", claimed_s=3600, actual_s=1.0)
    url = (f"/api/v1/meetings/{meeting_id}/recordings" if api
           else f"/meetings/{meeting_id}/recordings")
    response = client.post(url, data={"csrf_token": token, "file": (
        io.BytesIO(claiming.read_bytes()), "claims.wav")}, headers={"X-CSRFToken": token},
        content_type="multipart/form-data")
    assert response.status_code == 422
    message = "The recording is longer than 0.5 hours: split it and upload the parts."
    if api:
        error = response.get_json()["error"]
        assert (error["code"], error["message"]) == ("too_long", message)
    else:
        assert message in response.get_data(as_text=True)
    assert snapshot(app) == before and files_under(uploads) == []


DEFAULTS = {"MEDIA_MEMORY_MB": 1024, "MEDIA_CPU_SECONDS": 600, "MEDIA_TIMEOUT_SECONDS": 900}
LIMITS = {  # setting → (value, the file that overruns it)
    "MEDIA_MEMORY_MB": (48, "tone"),
    "MEDIA_CPU_SECONDS": (1, "long"),
    "MEDIA_TIMEOUT_SECONDS": (1, "long"),
}


@pytest.mark.parametrize("setting", list(LIMITS))
def test_a_child_over_its_limits_is_a_clean_refusal(app, app_ctx, uploads, tmp_path,
                                                    monkeypatch, setting):
    value, kind = LIMITS[setting]
    monkeypatch.setitem(app.config, setting, value)  # below what the settings allow
    path = (tone(tmp_path / "t.wav") if kind == "tone"
            else opus_ogg(tmp_path / "long.ogg", 3 * 3600, level=0.1))
    refused = _refusal(make_meeting(), path.read_bytes(), path.name)
    assert refused.code == "limits"
    assert refused.message.startswith("The recording could not be checked within the server's")
    assert files_under(uploads) == []
    assert db.session.scalar(select(func.count(Job.id))) == 0
    # The web process carries on: the next upload is probed as usual.
    monkeypatch.setitem(app.config, setting, DEFAULTS[setting])
    assert _upload(make_meeting(), tone(tmp_path / "ok.wav").read_bytes(), "ok.wav").id


@pytest.fixture
def stored(app, app_ctx, uploads, tmp_path, monkeypatch) -> Recording:
    """A good recording uploaded and queued, the real model configured for the worker."""
    monkeypatch.setitem(app.config, "WHISPER_MODEL",
                        str(instance_dir() / "models" / "whisper-base"))
    recording = _upload(make_meeting(), tone(tmp_path / "t.wav").read_bytes(), "t.wav")
    db.session.commit()
    return recording


def _failed_job(app, recording: Recording) -> Job:
    assert Worker(app, scheduler=False).run_pending() == 1  # the worker carries on
    db.session.expire_all()
    job = db.session.get(Job, recording.job_id)
    assert job.status == "failed" and job.attempts == 1  # not worth retrying
    return job


def test_a_worker_job_over_the_limits_fails_once_and_the_worker_goes_on(app, stored,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_MEMORY_MB", 48)
    job = _failed_job(app, stored)
    assert job.error.startswith("The recording could not be checked within the server's")


def test_a_stored_silent_recording_is_a_failed_job_not_a_transcript(app, stored, tmp_path):
    rec.stored_path(stored.sha256).write_bytes(silent(tmp_path / "s.wav").read_bytes())
    job = _failed_job(app, stored)
    assert job.error == "The recording is silent: check the microphone and record again."


def _sandbox_children(marker: str) -> list[int]:
    """Pids of decoding children whose command line names ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "transcription.sandbox" in cmdline and marker in cmdline:
            found.append(int(proc.name))
    return found


def _wait_for(condition, seconds: float = 60.0):
    """Poll ``condition`` until it holds (a deadline against hanging, not a measurement)."""
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)
    return result


def test_a_decoding_child_dies_with_the_process_that_started_it(tmp_path):
    # Probing 7.5 hours of noise keeps a child busy for a minute of CPU or more; killed with
    # its parent, it is gone long before the deadline of the wait below.
    path = opus_ogg(tmp_path / "orphan.ogg", 7.5 * 3600, level=0.1)
    parent = subprocess.Popen([sys.executable, "-c", (  # noqa: S603 - the test's own interpreter
        "import sys; from transcription import sandbox; sandbox.probe(sys.argv[1], 'ogg')"),
        str(path)])
    children: list[int] = []
    try:
        children = _wait_for(lambda: _sandbox_children(str(path)))
        parent.kill()  # as a server's request timeout kills a web worker
        parent.wait()
        _wait_for(lambda: not _sandbox_children(str(path)), seconds=20)
    finally:
        parent.kill()
        parent.wait()
        for pid in set(children) & set(_sandbox_children(str(path))):
            os.kill(pid, signal.SIGKILL)  # what this test started, should it fail


def test_the_decoding_child_gets_none_of_the_secrets(monkeypatch):
    monkeypatch.setenv("WORKHUB_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("WORKHUB_LDAP_BIND_PASSWORD", "directory-password")
    env = sandbox.child_env()
    assert not [k for k in env if k.startswith("WORKHUB_")]
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["PATH"] == os.environ["PATH"]
    # …and with that environment it still starts and answers.
    assert sandbox.probe(EN_CLIP, "wav").duration == pytest.approx(11.0, abs=0.1)


def _decode_peak_kb(path: Path, folder: Path) -> tuple[int, list[Path]]:
    answer = sandbox.run({"op": "decode", "path": str(path), "ext": "ogg",
                          "folder": str(folder), "stereo": False, "max_seconds": 8 * 3600},
                         sandbox.Limits())
    return answer["peak_rss_kb"], [Path(p) for p in answer["files"]]


def test_the_worker_decodes_to_a_file_with_flat_memory(tmp_path):
    short = opus_ogg(tmp_path / "short.ogg", 60, level=0.1)
    long = opus_ogg(tmp_path / "long.ogg", 40 * 60, level=0.1)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    short_kb, _ = _decode_peak_kb(short, tmp_path / "a")
    long_kb, files = _decode_peak_kb(long, tmp_path / "b")
    # 40 minutes decoded are 77 MB of float32; the child's memory grows by far less.
    assert long_kb - short_kb < 16 * 1024, (short_kb, long_kb)
    signal = pcm.PcmSignal(files[0])
    try:
        assert abs(signal.size - 40 * 60 * 16000) < 16000
        piece = signal[16000 * 600:16000 * 601]
        assert piece.dtype == np.float32 and piece.size == 16000
        assert 0.01 < float(np.sqrt(np.mean(piece ** 2))) < 1.0
    finally:
        signal.close()


def test_pcm_folders_left_by_a_killed_worker_are_removed_by_the_next_job(app, stored,
                                                                         tmp_path):
    tmp = Path(tempfile.gettempdir())
    old = Path(tempfile.mkdtemp(prefix=pcm.FOLDER_PREFIX, dir=tmp))
    (old / "mono.pcm").write_bytes(b"\0" * 1024)
    young = Path(tempfile.mkdtemp(prefix=pcm.FOLDER_PREFIX, dir=tmp))  # a job running now
    day_ago = time.time() - pcm.STALE_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    try:
        rec.stored_path(stored.sha256).write_bytes(silent(tmp_path / "s.wav").read_bytes())
        _failed_job(app, stored)
        assert not old.exists() and young.is_dir()
    finally:
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(young, ignore_errors=True)


def test_voice_detection_is_given_long_recordings_in_blocks_cut_at_a_pause():
    seconds = VAD_BLOCK_S + 60
    t = np.arange(seconds * 16000) / 16000
    signal = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    gap = (VAD_BLOCK_S - 12) * 16000
    signal[gap:gap + 1600] = 0.0  # a tenth of a second's pause, 12 s before the block ends
    blocks = vad_blocks(signal)
    assert len(blocks) == 2 and blocks[0][0] == 0 and blocks[-1][1] == signal.size
    assert gap <= blocks[0][1] < gap + 1600 and blocks[1][0] == blocks[0][1]
    assert vad_blocks(signal[: 16000 * 60]) == [(0, 16000 * 60)]  # short: given whole


def test_media_settings_are_parsed_and_bad_values_refused(tmp_path):
    base = {"WORKHUB_INSTANCE_PATH": str(tmp_path), "WORKHUB_SECRET_KEY": "k" * 40}
    cfg = load_config({**base, "WORKHUB_MAX_RECORDING_HOURS": "2.5",
                       "WORKHUB_MEDIA_MEMORY_MB": "2048", "WORKHUB_MEDIA_CPU_SECONDS": "120",
                       "WORKHUB_MEDIA_TIMEOUT_SECONDS": "300"})
    limits = rec.media_limits(cfg)
    assert (limits.max_hours, limits.memory_mb, limits.cpu_seconds,
            limits.timeout_seconds) == (2.5, 2048, 120, 300)
    assert rec.media_limits(load_config(base)) == sandbox.Limits(1024, 600, 900, 8.0)
    assert {k: load_config(base)[k] for k in DEFAULTS} == DEFAULTS
    for name, raw in (("WORKHUB_MAX_RECORDING_HOURS", "0"), ("WORKHUB_MAX_RECORDING_HOURS", "nan"),
                      ("WORKHUB_MAX_RECORDING_HOURS", "inf"), ("WORKHUB_MEDIA_MEMORY_MB", "100"),
                      ("WORKHUB_MEDIA_CPU_SECONDS", "x")):
        with pytest.raises(ValueError, match=name):
            load_config({**base, name: raw})
    assert AudioError.TOO_LONG in AudioError.CODES and AudioError.LIMITS in AudioError.CODES
