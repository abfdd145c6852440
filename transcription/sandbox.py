"""Decode untrusted recordings in a child process with memory, CPU and wall-clock limits.

FFmpeg parses whatever an uploader sends. In the web process or the worker, a file built
to make a demuxer allocate gigabytes or spin for hours would take the process (and every
request or job it serves) down with it. Here the parsing runs in ``python -m
transcription.sandbox``, which sets its own limits before importing PyAV or NumPy:

* RLIMIT_AS (address space, `Limits.memory_mb`): an allocation beyond it fails
  (MemoryError) instead of growing until the kernel kills something;
* RLIMIT_CPU (`Limits.cpu_seconds`): the kernel stops a child that decodes too long;
* a wall-clock timeout (`Limits.timeout_seconds`): the parent kills a child that hangs
  without using CPU;
* and on Linux the child dies with its parent (PR_SET_PDEATHSIG): a web worker killed by
  its server's request timeout leaves no decoder running.

A child that runs out of any of them, or dies, is an `AudioError` with code ``limits``
(or ``not_media`` for any other death): the caller refuses the file and carries on.
The child answers one JSON line on stdout; what FFmpeg says goes to a temporary file,
of which only the end is kept as a detail.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

# The child process's own environment: one thread for BLAS and OpenMP (their per-thread
# buffers would use the address space the decoder needs, and decoding needs none of them).
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Of the parent's environment only these pass: not WORKHUB_* (the secret key, database and
# directory passwords), which a decoder subverted by its input could otherwise read.
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV")
_DETAIL_BYTES = 2000
_EXIT_LIMITS = 3  # the child's exit status after a MemoryError


@dataclass(frozen=True)
class Limits:
    """What a decoding child may use, and the longest recording accepted."""

    memory_mb: int = 1024
    cpu_seconds: int = 600
    timeout_seconds: int = 900
    max_hours: float = 8.0

    @classmethod
    def from_config(cls, config) -> Limits:
        """The limits of WORKHUB_MEDIA_* and WORKHUB_MAX_RECORDING_HOURS."""
        return cls(memory_mb=config.get("MEDIA_MEMORY_MB", cls.memory_mb),
                   cpu_seconds=config.get("MEDIA_CPU_SECONDS", cls.cpu_seconds),
                   timeout_seconds=config.get("MEDIA_TIMEOUT_SECONDS", cls.timeout_seconds),
                   max_hours=config.get("MAX_RECORDING_HOURS", cls.max_hours))

    @property
    def max_seconds(self) -> float:
        return self.max_hours * 3600


def _limits_error(what: str):
    from transcription.audio import AudioError

    return AudioError(AudioError.LIMITS,
                      f"Checking the recording {what}: it may be damaged or built to overload "
                      "the server.")


def _tail(fh) -> str:
    fh.seek(max(0, os.fstat(fh.fileno()).st_size - _DETAIL_BYTES))
    return fh.read().decode("utf-8", "replace").strip()


def child_env() -> dict[str, str]:
    """The decoding child's environment: a few of the parent's variables, none of its secrets."""
    env = {k: v for k, v in os.environ.items() if k in _PASSED_ENV}
    root = str(Path(__file__).resolve().parent.parent)  # `transcription` importable
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return {**env, **_CHILD_ENV}


def run(request: dict, limits: Limits) -> dict:
    """Run one request in a limited child and return its answer.

    Raises:
      AudioError: the child refused the file, or exceeded a limit, or died.
    """
    from transcription.audio import AudioError

    request = {**request, "memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds,
               "parent": os.getpid()}
    command = [sys.executable, "-m", "transcription.sandbox", json.dumps(request)]
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,  # noqa: S603 - our own interpreter and module
                                 stderr=errors, env=child_env(), start_new_session=True)
        try:
            out, _ = child.communicate(timeout=limits.timeout_seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise _limits_error(f"took longer than {limits.timeout_seconds} s") from None
        detail = _tail(errors)
    try:
        answer = json.loads(out.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = None
    if isinstance(answer, dict) and answer.get("ok"):
        return answer
    if isinstance(answer, dict) and answer.get("code") in AudioError.CODES:
        raise AudioError(answer["code"], answer.get("message") or answer["code"])
    if child.returncode in (-signal.SIGXCPU, -signal.SIGKILL, _EXIT_LIMITS):
        raise _limits_error(f"used more than the {limits.cpu_seconds} s of CPU or "
                            f"{limits.memory_mb} MB of memory allowed")
    raise AudioError(AudioError.NOT_MEDIA,
                     f"The recording cannot be read (the decoder exited with status "
                     f"{child.returncode}): {detail[-300:]}")


def probe(path: str | os.PathLike[str], ext: str | None, limits: Limits | None = None):
    """`audio.probe` in a limited child: an AudioInfo, or an AudioError."""
    from transcription.audio import AudioInfo

    limits = limits or Limits()
    answer = run({"op": "probe", "path": os.fspath(path), "ext": ext,
                  "max_seconds": limits.max_seconds}, limits)
    return AudioInfo(**answer["info"])


def decode(path: str | os.PathLike[str], ext: str | None, folder: str | os.PathLike[str], *,
           stereo: bool, limits: Limits | None = None) -> list[Path]:
    """`pcm.decode_to_files` in a limited child: the PCM files written in ``folder``."""
    limits = limits or Limits()
    answer = run({"op": "decode", "path": os.fspath(path), "ext": ext,
                  "folder": os.fspath(folder), "stereo": stereo,
                  "max_seconds": limits.max_seconds}, limits)
    return [Path(p) for p in answer["files"]]


# --- the child ---------------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(_EXIT_LIMITS)


def _set_limits(memory_mb: int, cpu_seconds: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # The soft limit sends SIGXCPU (the child dies, the parent sees it); the hard limit a
    # second later is SIGKILL, should SIGXCPU be caught.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _serve(request: dict) -> dict:
    from transcription import audio

    try:
        if request["op"] == "probe":
            info = audio.probe(request["path"], request["ext"], request["max_seconds"])
            return {"ok": True, "info": asdict(info)}
        from transcription import pcm

        files = pcm.decode_to_files(request["path"], request["ext"], request["folder"],
                                    stereo=request["stereo"],
                                    max_seconds=request["max_seconds"])
        return {"ok": True, "files": [os.fspath(f) for f in files]}
    except audio.AudioError as exc:
        return {"ok": False, "code": exc.code, "message": str(exc)}
    except IndexError:  # PyAV: an mp4 without an audio track
        return {"ok": False, "code": audio.AudioError.NO_AUDIO,
                "message": "The file has no audio track."}
    except (OSError, ValueError, RuntimeError) as exc:  # a decoder failure not foreseen
        return {"ok": False, "code": audio.AudioError.NOT_MEDIA,
                "message": f"The recording cannot be read: {exc}."}


def main(argv: list[str]) -> int:
    request = json.loads(argv[0])
    _die_with_parent(int(request["parent"]))
    _set_limits(int(request["memory_mb"]), int(request["cpu_seconds"]))
    try:
        answer = _serve(request)
    except (MemoryError, ImportError) as exc:  # an import may fail for want of memory too
        sys.stderr.write(f"{exc!r}\n")
        return _EXIT_LIMITS
    answer["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except MemoryError:  # importing PyAV or NumPy within the limit failed
        sys.exit(_EXIT_LIMITS)
