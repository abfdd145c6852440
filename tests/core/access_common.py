"""What the access matrix needs to know about a route, and the world its URL parameters point
at (shared by tests/core/test_access_matrix.py and tests/core/access_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS = "anonymous"
PASSWORD = "Matrix-Password-2026"


@dataclass(frozen=True)
class Call:
    """How to call a route, and what a permitted caller gets back."""

    # URL parameter → a function of the World that gives its value.
    params: dict[str, Callable[[Any], object]] = field(default_factory=dict)
    data: dict[str, object] = field(default_factory=dict)
    ok: int = 200  # status for a caller who may use the route
    public: bool = False  # open to everyone, signed in or not (no access decorator)
    signed_in_status: int | None = None  # public routes that answer signed-in users differently
    # Per-object rules (a manager may approve a colleague's booking, an employee may not):
    # the status for these roles instead of ``ok``.
    by_role: dict[str, int] = field(default_factory=dict)


@dataclass
class World:
    """The real objects the URL parameters point at."""

    section_id: int  # a department with a user in it (code MTX-SEC)
    empty_department_id: int  # a department nobody is in
    other_user_id: int  # a local user in the section who is not the one signed in
    # Everything else, built by the ``build`` functions of the access modules.
    extra: dict[str, object] = field(default_factory=dict)


def extra(key: str) -> Callable[[World], object]:
    """A URL parameter filled with ``World.extra[key]``."""
    return lambda w: w.extra[key]


def build_world(app, make_department, make_user, who: str, modules) -> tuple[World, Any]:
    """Create the departments and users every module builds on, then each module's objects;
    return the world and, unless ``who`` is anonymous, the user with role ``who``."""
    from sqlalchemy import select

    from workhub.extensions import db
    from workhub.org.models import Department

    make_department("MTX-ROOT", "試験局")
    make_department("MTX-SEC", "試験課", parent="MTX-ROOT")
    make_department("MTX-EMPTY", "空き課", parent="MTX-ROOT")
    other = make_user("matrix-other", department="MTX-SEC", password=PASSWORD)
    make_user("matrix-helper")  # named a delegate through the form
    me = None
    if who != ANONYMOUS:
        me = make_user(f"as-{who.replace('_', '-')}", roles=(who,), department="MTX-SEC",
                       password=PASSWORD)
    with app.app_context():
        ids = {d.code: d.id for d in db.session.scalars(select(Department)).all()}
        built: dict[str, object] = {}
        for module in modules:
            built.update(module.build(app, me, other, ids) or {})
        world = World(section_id=ids["MTX-SEC"], empty_department_id=ids["MTX-EMPTY"],
                      other_user_id=other.id, extra=built)
    return world, me
