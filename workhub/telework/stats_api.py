"""``GET /api/v1/telework/stats?month=YYYY-MM``: a month's count against its target, scoped
to the caller (HR and admins: the organisation; managers: their departments; everyone else:
their own sessions, without a department list)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from workhub.api import bp
from workhub.businessdays import month_bounds, month_of
from workhub.telework import stats
from workhub.telework.stats_views import local_today
from workhub.web import json_error, select_locale

SCOPE_NAMES = {"all": "organisation", "departments": "departments", "self": "self"}


@bp.get("/telework/stats")
def telework_stats():
    today = local_today()
    raw = (request.args.get("month") or "").strip()
    try:
        month = month_of(month_bounds(raw)[0]) if raw else month_of(today)
    except ValueError:
        return json_error(400, "invalid_month",
                          _("month must be a month written YYYY-MM, for example 2026-04."))
    scope = stats.visible_scope(current_user)
    summary = stats.month_summary(scope, month, today)
    body = {
        "month": month,
        "scope": SCOPE_NAMES[scope.kind],
        "target": summary.target,
        "actual": summary.actual,
        "hours": round(summary.hours, 2),
        "business_days": summary.business_days,
        "business_days_left": summary.days_left,
        "pace_needed": (round(summary.pace_needed, 2)
                        if summary.pace_needed is not None else None),
        "projection": summary.projection,
    }
    if scope.sees_departments:
        body["departments"] = [
            {
                "code": row.code,
                "name": row.name,
                "parent": row.parent_code,
                "target": row.target,
                "actual": row.actual,
                "own": row.own,
                "hours": round(row.hours, 2),
            }
            for row in stats.departments_for(scope, [month], select_locale())
            if row.id is not None
        ]
    return jsonify(body)
