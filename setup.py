"""Build steps the declarative pyproject.toml cannot say: the package carries the top-level
``templates/`` folder (as ``workhub/templates``) and the compiled Japanese catalogue (.mo,
compiled here from the .po, which is what the repository keeps)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _catalogues_module():
    """workhub/catalogues.py, loaded by path: importing the workhub package would need Flask,
    which the build environment does not have (the module itself needs only Babel)."""
    spec = importlib.util.spec_from_file_location("_workhub_catalogues",
                                                  ROOT / "workhub" / "catalogues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithAssets(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            # An editable install reads templates/ and compiles at start (workhub/catalogues.py).
            return
        target = Path(self.build_lib) / "workhub"
        shutil.copytree(ROOT / "templates", target / "templates", dirs_exist_ok=True)
        catalogues = _catalogues_module()
        for po in (ROOT / "workhub" / "translations").glob("*/LC_MESSAGES/*.po"):
            mo = target / po.relative_to(ROOT / "workhub").with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            catalogues.compile_catalogue(po, mo)


setup(cmdclass={"build_py": BuildWithAssets})
