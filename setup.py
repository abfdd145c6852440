"""Build steps the declarative pyproject.toml cannot say: the package carries the top-level
``templates/`` folder (as ``workhub/templates``) and the compiled Japanese catalogue (.mo,
compiled here from the .po, which is what the repository keeps)."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithAssets(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return  # an editable install reads templates/ and compiles at start (i18n.py)
        target = Path(self.build_lib) / "workhub"
        shutil.copytree(ROOT / "templates", target / "templates", dirs_exist_ok=True)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in (ROOT / "workhub" / "translations").glob("*/LC_MESSAGES/*.po"):
            mo = target / po.relative_to(ROOT / "workhub").with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with open(po, "rb") as src:
                catalog = read_po(src)
            with open(mo, "wb") as out:
                write_mo(out, catalog)


setup(cmdclass={"build_py": BuildWithAssets})
