"""The compiled message catalogues (.mo) beside their sources (.po).

The repository keeps only the .po; a wheel carries the .mo compiled at build time (setup.py).
A checkout installed without `make` (`pip install -e .`) has none, and Flask-Babel would
silently answer in English: so at start-up a missing or older .mo is compiled in place.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def compile_catalogue(po: Path, mo: Path) -> None:
    """Compile ``po`` into ``mo`` (written under a temporary name, then renamed)."""
    with open(po, "rb") as src:
        catalog = read_po(src)
    fd, tmp = tempfile.mkstemp(prefix=".messages.", dir=mo.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_compiled(translations: Path) -> list[Path]:
    """Compile every catalogue under ``translations`` whose .mo is missing or older than its
    .po; return the ones compiled. A folder that cannot be written is left as it is."""
    compiled = []
    for po in sorted(translations.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            compile_catalogue(po, mo)
        except OSError as exc:
            log.warning("could not compile %s: %s (run `make translations`)", po, exc)
            continue
        compiled.append(mo)
    return compiled
