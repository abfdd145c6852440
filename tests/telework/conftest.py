"""Fixtures of the telework tests."""

from __future__ import annotations

import pytest

from tests.office import at


@pytest.fixture
def office_clock(time_machine):
    """The frozen clock, moved in office time: ``office_clock("2026-04-14 09:00")`` stops it
    there (it does not tick) and returns that moment."""
    def move(text: str):
        moment = at(text)
        time_machine.move_to(moment, tick=False)
        return moment

    return move
