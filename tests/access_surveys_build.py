"""Access-matrix entries for the surveys package (build): see tests/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra`` (use ``lambda w: w.extra["key"]``).
``me`` is the signed-in user (None when anonymous), ``other`` a colleague in the same
section, ``ids`` department codes → ids. Called inside an app context; commit at the end.
"""

from __future__ import annotations

from access_common import Call  # noqa: F401

ROUTES: dict[tuple[str, str], Call] = {}


def build(app, me, other, ids) -> dict:
    return {}
