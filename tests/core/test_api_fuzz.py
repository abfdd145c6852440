"""Fuzz every operation of /api/v1/openapi.json with schemathesis, as every role.

Each test is one operation × one role: the access matrix's world (tests/core/access_*.py: bookings,
sessions, devices, loans, requests, surveys, meetings, segments ...) is put back, the role's user
gets a personal token with read and write on every feature, and hypothesis sends
``WORKHUB_FUZZ_EXAMPLES`` generated requests (half of them valid by the document, half not)
through the WSGI app. Three of four requests have their path ids replaced by ids of rows that
exist (the ones the access matrix aims at), so the handlers are reached beyond 404.

Every answer must be no server error, have a status code the document lists for the
operation, and a content type and body that match what it documents for that status.
Generation is derandomized: a failure comes back on every run.
"""

from __future__ import annotations

import importlib
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.core.access_common import build_world
from tests.core.saved_worlds import saved_world
from workhub.api.openapi import build_openapi
from workhub.config import ROLES
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing", "uploads")

JAPAN = ZoneInfo("Asia/Tokyo")
# About 2 minutes per database on the 2-core development machine (see README, API).
EXAMPLES = int(os.environ.get("WORKHUB_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# The access matrix's modules (tests/core/access_*.py): their routes name the rows the world holds.
ACCESS_MODULES = [importlib.import_module(f"{__package__}.{path.stem}")
                  for path in sorted(Path(__file__).parent.glob("access_*.py"))
                  if path.stem != "access_common"]

SCHEMA = schemathesis.openapi.from_dict(build_openapi())
OPERATIONS = {f"{op.method.upper()} {op.path}": op
              for op in (result.ok() for result in SCHEMA.get_all_operations())}


def _document_path(rule: str) -> str:
    """``/api/v1/bookings/<int:booking_id>`` → ``/bookings/{booking_id}``."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


# Path of the document → parameter → how to find, in the world, the row the matrix aims at.
API_PARAMS = {
    (method, _document_path(rule)): call.params
    for module in ACCESS_MODULES for (method, rule), call in module.ROUTES.items()
    if rule.startswith("/api/v1/")
}


def test_every_operation_is_fuzzed_and_has_real_ids():
    assert len(OPERATIONS) == sum(len(ops) for ops in build_openapi()["paths"].values())
    for label, operation in OPERATIONS.items():
        method, path = label.split(" ", 1)
        names = {p.name for p in operation.path_parameters}
        assert names <= set(API_PARAMS.get((method, path), {})), (
            f"{label}: the access matrix names no real row for {names}")


def _real_values(world, method: str, path: str) -> dict[str, list]:
    """Each path parameter → the values the access matrix uses: this route's first, then those
    of every other route with a parameter of that name (other rows of the same kind)."""
    pools: dict[str, list] = {}
    for params in (API_PARAMS[(method, path)], *API_PARAMS.values()):
        for name, fill in params.items():
            value = fill(world)
            if value not in pools.setdefault(name, []):
                pools[name].append(value)
    return pools


def _build(app, make_department, make_user, who: str):
    """The access matrix's world for ``who``, and a token of theirs that may do everything."""
    from workhub.auth.services import create_token
    from workhub.org.models import User

    world, me = build_world(app, make_department, make_user, who, ACCESS_MODULES)
    with app.app_context():
        _token, secret = create_token(db.session.get(User, me.id), "fuzz")
        db.session.commit()
    return world, secret


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_fuzz(app, make_department, make_user, label, who):
    operation = OPERATIONS[label]
    method, path = label.split(" ", 1)
    # Built once per role (and day: the builders use today's date), restored for each test.
    world, secret = saved_world(app, ("api fuzz", who, datetime.now(JAPAN).date()),
                                lambda: _build(app, make_department, make_user, who))
    headers = {"Authorization": f"Bearer {secret}"}
    pools = _real_values(world, method, path) if operation.path_parameters else {}
    cases = st.one_of(operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
                      operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], print_blob=False,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    @given(case=cases, pick=st.integers(0, 3), which=st.integers(0, 10_000))
    def fuzz(case, pick, which):
        if pick and case.path_parameters is not None:
            for name in list(case.path_parameters):
                if name in pools:
                    case.path_parameters[name] = pools[name][0 if pick < 3 else
                                                             which % len(pools[name])]
        # Always as the role: a negative case may have generated an Authorization header.
        case.headers = {**(case.headers or {}), **headers}
        response = case.call_and_validate(app=app, checks=CHECKS)
        # Documented, but it would mean the request did not run as the role.
        assert response.status_code != 401, "the fuzz token was refused"
        assert response.status_code != 403 or \
            response.json()["error"]["code"] != "insufficient_scope", "the token lacks a scope"

    fuzz()
