"""WorkHub installs like a Python package: `python -m build` makes an sdist and, from it, a
wheel that carries the templates, static files, compiled catalogues and migrations; the
wheel, installed into a fresh virtual environment away from the checkout, migrates a
database and serves the Japanese login page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SERVE = r"""
import json, sys
import workhub
from workhub import create_app
from workhub.extensions import db
from workhub.migrate import upgrade

app = create_app({"SECRET_KEY": "packaging-test"})
with app.app_context():
    upgrade()
    tables = sorted(db.inspect(db.engine).get_table_names())
html = app.test_client().get("/login").get_data(as_text=True)
print(json.dumps({"file": workhub.__file__, "instance": app.instance_path,
                  "templates": app.template_folder, "tables": tables, "html": html}))
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Without --sdist/--wheel, build makes the sdist and then the wheel *from the sdist*, so
    # a file the sdist forgets is missing from the wheel too.
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    return out


def test_the_wheel_carries_the_whole_app(dist):
    [wheel] = dist.glob("workhub-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("workhub/templates/base.html", "workhub/templates/auth/login.html",
                   "workhub/templates/_macros/forms.html",
                   "workhub/translations/ja/LC_MESSAGES/messages.mo",
                   "workhub/static/css/workhub.css",
                   "workhub/migrations/env.py",
                   "workhub/migrations/versions/0001_core.py",
                   "transcription/engine.py", "surveys/models.py"):
        assert needed in names, needed
    templates = {n for n in names if n.startswith("workhub/templates/")}
    in_checkout = {f"workhub/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
                   for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert templates == in_checkout
    assert not [n for n in names if n.startswith("tests/")]


def test_the_installed_wheel_serves_the_japanese_login_page(dist, tmp_path):
    [wheel] = dist.glob("workhub-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from the test environment (a plain path: its .pth files, the
    # checkout's editable finder among them, are not run); WorkHub itself from the wheel.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Nothing of the caller's PYTHONPATH either: pip would take a checkout's workhub.egg-info
    # found there for an installed WorkHub and skip the wheel.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKHUB_", "PYTHON"))}
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True, timeout=300, env=env)
    env["WORKHUB_LANGUAGE"] = "ja"
    result = subprocess.run([str(python), "-c", SERVE], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(seen["file"]).is_relative_to(venv), seen["file"]
    assert Path(seen["templates"]).is_relative_to(venv)
    assert Path(seen["instance"]) == (venv / "var" / "workhub-instance").resolve()
    assert {"users", "login_throttles", "api_tokens", "alembic_version"} <= set(seen["tables"])
    html = seen["html"]
    assert '<html lang="ja">' in html
    assert "ログインID" in html and "パスワード" in html


def test_a_checkout_without_make_compiles_its_catalogue(tmp_path):
    """`pip install -e .` without `make`: no .mo; create_app compiles it (in place)."""
    from workhub.catalogues import ensure_compiled

    po_dir = tmp_path / "ja" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    source = ROOT / "workhub" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
    (po_dir / "messages.po").write_bytes(source.read_bytes())
    assert ensure_compiled(tmp_path) == [po_dir / "messages.mo"]
    assert ensure_compiled(tmp_path) == []  # up to date: nothing to do
    from babel.support import Translations

    ja = Translations.load(str(tmp_path), ["ja"])
    assert ja.gettext("Sign in") != "Sign in"
