"""Web fixtures of the transcript editor tests: an app with the ``transcripts`` blueprint
(the session app once the lead has registered it), a meeting world and signed-in clients.

Import ``editor_app`` and ``editor_world`` into a test module: they are the ``app`` and
``world`` fixtures there."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.office import csrf_token, login
from tests.transcription.transcription_editor_data import make_meeting
from transcription import api_transcripts  # noqa: F401  (routes on the API blueprint)
from transcription.editing import current_transcript


@pytest.fixture(name="app", scope="session")
def editor_app(app):
    """The session app, with the meetings and editor blueprints registered if create_app
    lacks them."""
    if "transcripts" in app.blueprints and "meetings" in app.blueprints:
        yield app
        return
    from transcription.views_editor import bp
    from transcription.views_meetings import bp as meetings_bp
    from workhub import create_app
    from workhub.extensions import db

    wired = create_app(dict(app.config))
    for blueprint in (meetings_bp, bp):
        if blueprint.name not in wired.blueprints:
            wired.register_blueprint(blueprint)
    yield wired
    with wired.app_context():
        db.engine.dispose()


@dataclass
class World:
    meeting_id: int
    other_meeting_id: int
    segment_ids: list[int]
    speaker_ids: list[int]


@pytest.fixture(name="world")
def editor_world(app, make_department, make_user, fast_hashing) -> World:
    make_department("GEN", "総務課")
    make_department("FIN", "財政課")
    make_user("sec", roles=("secretary",), department="GEN", display_name="記録 花子")
    make_user("member", department="FIN", display_name="参加 一郎")
    make_user("stranger", department="GEN")
    make_user("finsec", roles=("secretary",), department="FIN")
    with app.app_context():
        meeting = make_meeting(department="GEN", organiser="sec",
                               participants=(("member", True),))
        other = make_meeting(department="FIN", title="財政課の会議",
                             lines=[("1", "財政課の予算配分")])
        transcript = current_transcript(meeting)
        return World(meeting.id, other.id, [s.id for s in transcript.segments],
                     [s.id for s in transcript.speakers])


def sign_in(client, login_name: str) -> None:
    response = login(client, login_name)
    assert response.status_code == 302


def token(client) -> str:
    return csrf_token(client, "/profile")
