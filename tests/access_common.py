"""What the access matrix needs to know about a route (shared by tests/access_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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
