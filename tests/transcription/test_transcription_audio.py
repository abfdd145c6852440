"""Probing recordings: real clips accepted, hostile files refused with the right code."""

from __future__ import annotations

import av
import numpy as np
import pytest

from tests.transcription.transcription_helpers import (
    EN_CLIP,
    JA_CLIP,
    MP3_CLIP,
    STEREO_CLIP,
    write_wav,
)
from transcription.audio import (
    AudioError,
    channels_differ,
    load_audio,
    mono_mix,
    probe,
)


def _video_without_audio(path):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            image = np.full((48, 64, 3), i * 20, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _video_with_audio(path, seconds=1.0):
    rate = 16000
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate))
    with av.open(str(path), "w") as container:
        video = container.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = container.add_stream("aac", rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(tone.astype(np.float32)[None, :], format="fltp",
                                           layout="mono")
        frame.sample_rate = rate
        for packet in audio.encode(frame):
            container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
        for i in range(int(seconds * 10)):
            image = np.full((48, 64, 3), i * 20, np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
    return path


def test_real_clips_are_probed():
    ja = probe(JA_CLIP)
    assert (ja.channels, ja.sample_rate, ja.codec) == (1, 48000, "pcm_s16le")
    assert ja.duration == pytest.approx(13.0, abs=0.1)
    en = probe(EN_CLIP)
    assert en.duration == pytest.approx(11.0, abs=0.1)
    mp3 = probe(MP3_CLIP)
    assert mp3.codec.startswith("mp3") and mp3.duration == pytest.approx(4.3, abs=0.2)
    stereo = probe(STEREO_CLIP)
    assert stereo.channels == 2 and stereo.rms_dbfs > -40


def test_video_tracks_are_ignored(tmp_path):
    info = probe(_video_with_audio(tmp_path / "talk.mp4"))
    assert info.channels == 1 and info.duration == pytest.approx(1.0, abs=0.2)


def test_hostile_files_are_refused_with_their_code(tmp_path):
    original = EN_CLIP.read_bytes()
    silent = np.zeros(16000 * 3)
    cases = {
        "empty.wav": (b"", AudioError.EMPTY),
        "random.mp3": (np.random.default_rng(7).bytes(40_000), AudioError.NOT_MEDIA),
        "notes.txt": ("議事録です。\n".encode() * 500, AudioError.NOT_MEDIA),
        "cut.wav": (original[: len(original) // 3], AudioError.TRUNCATED),
        "header-only.wav": (original[:40], AudioError.TRUNCATED),
    }
    refused = {}
    for name, (data, _) in cases.items():
        (tmp_path / name).write_bytes(data)
    write_wav(tmp_path / "silent.wav", silent)
    cases["silent.wav"] = (None, AudioError.SILENT)
    _video_without_audio(tmp_path / "video.mp4")
    cases["video.mp4"] = (None, AudioError.NO_AUDIO)
    for name in cases:
        with pytest.raises(AudioError) as caught:
            probe(tmp_path / name)
        refused[name] = caught.value.code
        assert str(caught.value)  # a message a person can read
    assert refused == {name: code for name, (_, code) in cases.items()}


def test_very_quiet_noise_counts_as_silent(tmp_path):
    hiss = np.random.default_rng(3).normal(0, 10 ** (-75 / 20), 16000 * 2)
    with pytest.raises(AudioError) as caught:
        probe(write_wav(tmp_path / "hiss.wav", hiss))
    assert caught.value.code == AudioError.SILENT


def test_quiet_speech_is_accepted(tmp_path):
    speech = load_audio(EN_CLIP)[0] * 10 ** (-30 / 20)  # 30 dB quieter
    assert probe(write_wav(tmp_path / "quiet.wav", speech)).duration == pytest.approx(11.0, 0.1)


def test_stereo_channels_are_told_apart():
    left, right = load_audio(STEREO_CLIP, channels=2)
    assert left.size == right.size > 0
    assert channels_differ(left, right)
    mono = load_audio(EN_CLIP)[0]
    assert not channels_differ(mono, mono)  # mono stored as stereo
    assert not channels_differ(mono, mono * 0.5)  # the same, panned
    assert not channels_differ(mono, np.zeros_like(mono))  # one channel unused
    # A phase-inverted channel does not cancel the mix.
    assert np.allclose(mono_mix(mono, -mono), mono, atol=1e-6)
