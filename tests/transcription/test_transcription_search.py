"""Search: Japanese substrings on both databases, only meetings the person may see, drafts
of minutes only for those who manage the meeting, LIKE wildcards taken literally."""

from __future__ import annotations

import pytest

from tests.transcription.transcription_editor_data import make_meeting, user
from transcription.editing import current_transcript, edit_segment
from transcription.minutes import generate_draft, set_status
from transcription.search import MIN_QUERY, search
from workhub.errors import DomainError
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def world(app_ctx, make_department, make_user):
    make_department("GEN", "総務課")
    make_department("FIN", "財政課")
    make_user("sec", roles=("secretary",), department="GEN")
    make_user("member", department="FIN")
    make_user("stranger", department="GEN")
    make_user("admin", roles=("admin",))
    mine = make_meeting(department="GEN", organiser="sec", participants=(("member", True),))
    hidden = make_meeting(department="FIN", title="財政課の会議",
                          lines=[("1", "秘密の予算配分について")])
    return mine, hidden


def kinds(hits):
    return sorted((h.kind, h.meeting_id) for h in hits)


def test_finds_a_japanese_word_inside_a_sentence(world):
    mine, hidden = world
    hits = search(user("member"), "予算")
    assert {h.meeting_id for h in hits} == {mine.id}
    segment_hits = [h for h in hits if h.kind == "segment"]
    assert len(segment_hits) == 3
    assert segment_hits[0].snippet == "えー、本日は予算の件について話し合います。"
    assert segment_hits[0].start == 0.0
    assert {h.meeting_id for h in search(user("admin"), "予算")} == {mine.id, hidden.id}


def test_never_returns_meetings_the_person_may_not_see(world):
    assert search(user("stranger"), "予算") == []
    assert search(user("stranger"), "定例") == []


def test_searches_the_edit_not_the_replaced_verbatim(world):
    mine, _hidden = world
    seg = current_transcript(mine).segments[3]
    edit_segment(seg, user("sec"), version=1, text="次に防災訓練の件です。")
    db.session.commit()
    assert [h.segment_id for h in search(user("sec"), "防災訓練")] == [seg.id]
    assert not [h for h in search(user("sec"), "広報の件です") if h.segment_id == seg.id]


def test_nfkc_query_and_case(world):
    mine, _hidden = world
    seg = current_transcript(mine).segments[0]
    edit_segment(seg, user("sec"), version=1, text="WorkHub の ABC 予算")
    db.session.commit()
    assert [h.segment_id for h in search(user("sec"), "ＡＢＣ")] == [seg.id]  # full width
    assert [h.segment_id for h in search(user("sec"), "workhub")] == [seg.id]


def test_wildcards_are_literal(world):
    mine, _hidden = world
    seg = current_transcript(mine).segments[0]
    edit_segment(seg, user("sec"), version=1, text="達成率100%_済")
    db.session.commit()
    assert search(user("sec"), "%%") == []
    assert search(user("sec"), "__") == []
    assert [h.segment_id for h in search(user("sec"), "0%_")] == [seg.id]


def test_minutes_drafts_only_for_managers(world):
    mine, _hidden = world
    minutes = generate_draft(mine, user("sec"))
    db.session.commit()
    assert "minutes" in {h.kind for h in search(user("sec"), "承認")}
    assert "minutes" not in {h.kind for h in search(user("member"), "承認")}
    set_status(minutes, user("sec"), status="final", version=1)
    db.session.commit()
    assert "minutes" in {h.kind for h in search(user("member"), "承認")}


@pytest.mark.parametrize("query", ["", " ", "予", "\x00\x01", None, "あ" * 101])
def test_short_or_bad_queries_are_refused(world, query):
    with pytest.raises(DomainError) as caught:
        search(user("sec"), query)
    assert caught.value.field == "q" and MIN_QUERY == 2
