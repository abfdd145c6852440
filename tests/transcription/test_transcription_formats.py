"""Transcript exports (txt, srt, vtt, json) and the `workhub transcribe` command."""

from __future__ import annotations

import json

import pytest

from tests.transcription.transcription_helpers import EN_CLIP, instance_dir, loaded_model
from transcription.cli import CliError, run_cli
from transcription.engine import Segment, Transcript
from transcription.formats import render, to_dict


def _transcript() -> Transcript:
    return Transcript(language="ja", duration=3725.5, segments=[
        Segment(0.0, 2.5, "えー、本日の会議を始めます", speaker="1"),
        Segment(2.5, 3.1, "えー", speaker="2"),
        Segment(3661.25, 3662.0, "予算は 三億円です", speaker=None),
    ])


def test_json_has_exactly_the_documented_shape():
    data = json.loads(render(_transcript(), "json"))
    assert list(data) == ["language", "duration", "text", "segments"]
    assert data["language"] == "ja" and data["duration"] == 3725.5
    assert data["text"] == "えー、本日の会議を始めますえー予算は 三億円です"
    assert data["segments"][0] == {"start": 0.0, "end": 2.5, "speaker": "1",
                                   "text": "えー、本日の会議を始めます"}
    assert all(list(s) == ["start", "end", "speaker", "text"] for s in data["segments"])


def test_levels_apply_to_every_format():
    cleaned = to_dict(_transcript(), "clean")
    # A segment that was only a filler disappears at the clean level.
    assert [s["text"] for s in cleaned["segments"]] == ["本日の会議を始めます", "予算は 三億円です"]
    assert to_dict(_transcript(), "edited")["segments"][1]["text"] == "予算は三億円です"
    assert "えー" not in render(_transcript(), "srt", "clean")


def test_srt_and_vtt_timing_lines():
    srt = render(_transcript(), "srt")
    assert srt.startswith("1\n00:00:00,000 --> 00:00:02,500\n[1] えー、本日の会議を始めます\n")
    assert "3\n01:01:01,250 --> 01:01:02,000\n予算は 三億円です\n" in srt
    vtt = render(_transcript(), "vtt")
    assert vtt.startswith(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n<v 1>えー、本日の会議を始めます\n")
    assert "01:01:01.250 --> 01:01:02.000\n予算は 三億円です\n" in vtt
    assert render(_transcript(), "txt").splitlines()[0] == "[1] えー、本日の会議を始めます"


def test_docx_and_unknown_formats_are_refused_clearly():
    with pytest.raises(NotImplementedError, match="minutes"):
        render(_transcript(), "docx")
    with pytest.raises(ValueError, match="txt, srt, vtt, json"):
        render(_transcript(), "pdf")


def test_run_cli_writes_json(tmp_path, capsys):
    loaded_model()  # the same process-wide model the command will find in its cache
    out = tmp_path / "jfk.json"
    run_cli(EN_CLIP, language="en", level="edited", fmt="json", output=out,
            model_dir=instance_dir() / "models" / "whisper-base", instance_path=instance_dir(),
            cpu_threads=2, progress=False)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["language"] == "en" and "country" in data["text"].lower()
    assert data["text"][0].isupper()
    assert capsys.readouterr().out == ""


def test_run_cli_refuses_bad_input(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    common = {"instance_path": instance_dir(), "progress": False}
    with pytest.raises(CliError, match="empty"):
        run_cli(empty, **common)
    with pytest.raises(CliError, match="no such file"):
        run_cli(tmp_path / "missing.wav", **common)
    with pytest.raises(CliError, match="level"):
        run_cli(EN_CLIP, level="summary", **common)
    with pytest.raises(CliError, match="docx"):
        run_cli(EN_CLIP, fmt="docx", **common)
    with pytest.raises(CliError, match="model.bin"):
        run_cli(EN_CLIP, model_dir=tmp_path, **common)


def test_the_workhub_transcribe_command(app, monkeypatch, tmp_path):
    from workhub.commands import transcribe as command

    if "transcribe" not in app.cli.commands:  # until workhub.commands registers it
        command.register(app)
    loaded_model()
    monkeypatch.setitem(app.config, "WHISPER_MODEL",
                        str(instance_dir() / "models" / "whisper-base"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["transcribe", str(EN_CLIP), "--language", "en",
                                 "--format", "srt", "--threads", "2"])
    assert result.exit_code == 0, result.output
    assert "00:00:00" in result.output and "country" in result.output.lower()
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    result = runner.invoke(args=["transcribe", str(empty)])
    assert result.exit_code != 0 and "empty" in result.output


def test_run_cli_writes_a_word_file(tmp_path):
    from docx import Document

    loaded_model()
    out = tmp_path / "jfk.docx"
    run_cli(EN_CLIP, language="en", level="edited", fmt="docx", output=out,
            model_dir=instance_dir() / "models" / "whisper-base", instance_path=instance_dir(),
            cpu_threads=2, progress=False)
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    assert paragraphs[0] == "en_jfk.wav" or "jfk" in paragraphs[0]
    assert any("country" in p.lower() for p in paragraphs[1:])
    assert any(p.startswith("0:00:0") for p in paragraphs[1:])  # h:mm:ss before the text
