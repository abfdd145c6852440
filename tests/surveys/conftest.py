"""Fixtures only the survey tests use: the respondents of the anonymity tests (a department
of people who answer, defined beside the data in surveys_anonymity_data.py)."""

from __future__ import annotations

from tests.surveys.surveys_anonymity_data import respondents  # noqa: F401  (a fixture)
