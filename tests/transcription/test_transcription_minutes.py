"""Minutes (議事録): the layout from the meeting, drafts from the transcript, section edits
with the version lock, draft/final and who sees a draft."""

from __future__ import annotations

import json

import pytest

from tests.transcription.transcription_editor_data import make_meeting, user
from transcription import minutes
from transcription.editing import StaleEdit, current_transcript, edit_segment
from transcription.exports import minutes_sections, minutes_txt
from transcription.minutes import (
    HEADINGS,
    can_view_minutes,
    document,
    edit_section,
    generate_draft,
    get_minutes,
    set_status,
)
from workhub.errors import Conflict, DomainError, NotFound
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def meeting(app_ctx, make_department, make_user):
    make_department("GEN", "総務課")
    make_user("sec", roles=("secretary",), department="GEN", display_name="記録 花子")
    make_user("boss", roles=("manager",), department="GEN", display_name="山田 太郎")
    make_user("away", department="GEN", display_name="欠席 次郎")
    make_user("outsider", roles=("secretary",), display_name="他課 三郎")
    return make_meeting(department="GEN", organiser="boss",
                        participants=(("boss", True), ("away", False)),
                        externals=(("鈴木 一郎", "株式会社みなと", True),
                                   ("佐藤 恵", None, False)))


def test_layout_has_every_heading_with_the_meetings_data(meeting):
    minutes = generate_draft(meeting, user("sec"), level="clean")
    text = minutes_txt(document(meeting, minutes))
    for heading in ("会議名", "日時", "場所", "出席者", "欠席者", "議題", "議事内容",
                    "決定事項", "今後の予定・宿題", "次回予定", "記録者"):
        assert f"■ {heading}" in text
    sections = dict(minutes_sections(document(meeting, minutes)))
    assert sections["会議名"] == "定例課内会議"
    assert sections["日時"] == "2026年11月27日（金）10:00〜11:30"  # Japan time
    assert sections["場所"] == "第1会議室、Zoom"
    assert sections["出席者"] == "山田 太郎、鈴木 一郎（株式会社みなと）"
    assert sections["欠席者"] == "欠席 次郎、佐藤 恵"
    assert sections["議題"] == "1. 予算の件\n2. 広報の件"
    assert sections["記録者"] == "記録 花子"


def test_draft_splits_by_agenda_and_suggests_decisions_and_actions(meeting):
    minutes = generate_draft(meeting, user("sec"), level="clean")
    doc = document(meeting, minutes)
    first, second = doc.items
    assert first["agenda"] == "予算の件" and "予算案は資料のとおり" in first["discussion"]
    assert "えー" not in first["discussion"]  # ケバ取り level
    assert second["discussion"].startswith("話者 2：次に広報の件です。") or \
        second["discussion"].startswith("Speaker 2：次に広報の件です。")
    assert "承認ということで決定します" in doc.decisions
    assert "案内文の作成をお願いします" in doc.actions and "期限: 12月10日" in doc.actions
    assert minutes.level == "clean" and minutes.status == "draft"


def test_draft_uses_the_edited_text(meeting):
    seg = current_transcript(meeting).segments[2]
    edit_segment(seg, user("sec"), version=1, text="予算案は了承されました。")
    minutes = generate_draft(meeting, user("sec"), level="verbatim")
    assert document(meeting, minutes).decisions == "・予算案は了承されました。"


def test_no_transcript_no_draft(app_ctx, make_department, make_user):
    make_user("sec2", roles=("secretary",))
    bare = make_meeting(lines=None)
    with pytest.raises(DomainError) as caught:
        generate_draft(bare, user("sec2"))
    assert caught.value.code == "no_transcript" and get_minutes(bare) is None


def test_section_edit_with_version_lock(meeting):
    minutes = generate_draft(meeting, user("sec"))
    db.session.commit()
    edit_section(meeting, minutes, user("sec"), section="next_meeting",
                 text="12月4日（金）10時", version=1)
    db.session.commit()
    assert minutes.version == 2
    with pytest.raises(StaleEdit) as caught:
        edit_section(meeting, minutes, user("sec"), section="decisions", text="私の決定",
                     version=1)
    assert caught.value.kept == "私の決定"
    edit_section(meeting, minutes, user("sec"), section="discussion:1", text="広報は<b>延期</b>",
                 version=2)
    doc = document(meeting, minutes)
    assert doc.next_meeting == "12月4日（金）10時" and doc.items[1]["discussion"] == \
        "広報は<b>延期</b>"
    assert json.loads(minutes.body_json)["next_meeting"] == "12月4日（金）10時"


@pytest.mark.parametrize("section", ["discussion:2", "title", "discussion:x", "", "headings"])
def test_unknown_section_is_404(meeting, section):
    minutes = generate_draft(meeting, user("sec"))
    with pytest.raises(NotFound):
        edit_section(meeting, minutes, user("sec"), section=section, text="x", version=1)


def test_final_minutes_are_locked_until_reopened(meeting):
    minutes = generate_draft(meeting, user("sec"))
    set_status(minutes, user("sec"), status="final", version=1)
    with pytest.raises(Conflict):
        edit_section(meeting, minutes, user("sec"), section="decisions", text="x", version=2)
    with pytest.raises(Conflict):
        generate_draft(meeting, user("sec"), version=2)
    set_status(minutes, user("sec"), status="draft", version=2)
    edit_section(meeting, minutes, user("sec"), section="decisions", text="x", version=3)
    assert document(meeting, minutes).decisions == "x"


def test_regenerating_needs_the_current_version(meeting):
    minutes = generate_draft(meeting, user("sec"))
    edit_section(meeting, minutes, user("sec"), section="decisions", text="手で書いた", version=1)
    with pytest.raises(StaleEdit):
        generate_draft(meeting, user("sec"), version=1)
    assert document(meeting, minutes).decisions == "手で書いた"


def test_draft_is_for_organiser_and_secretaries_final_for_participants(meeting):
    minutes = generate_draft(meeting, user("sec"))
    assert can_view_minutes(user("sec"), meeting, minutes)
    assert can_view_minutes(user("boss"), meeting, minutes)
    assert not can_view_minutes(user("away"), meeting, minutes)  # participant
    assert not can_view_minutes(user("outsider"), meeting, minutes)  # another department
    set_status(minutes, user("sec"), status="final", version=1)
    assert can_view_minutes(user("away"), meeting, minutes)
    assert not can_view_minutes(user("outsider"), meeting, minutes)


def test_headings_are_japanese():
    assert set(HEADINGS.values()) >= {"会議名", "議事内容", "決定事項", "今後の予定・宿題"}


def test_agenda_items_never_named_get_no_lines_and_nothing_is_repeated(app_ctx, make_user):
    make_user("sec3", roles=("secretary",))
    meeting = make_meeting(agenda=("開会", "人事の件", "広報の件"), lines=[
        ("1", "開会します。"), ("1", "予算の話です。"), ("2", "次に広報の件です。"),
        ("2", "以上です。")])
    minutes = generate_draft(meeting, user("sec3"), level="verbatim")
    first, unnamed, last = (i["discussion"] for i in document(meeting, minutes).items)
    assert first.endswith("予算の話です。") and "広報" not in first
    assert unnamed == ""
    assert "次に広報の件です。" in last and last.endswith("以上です。")
    # In the exports the unnamed item keeps its numbered line, with no empty paragraph.
    discussion = dict(minutes_sections(document(meeting, minutes)))["議事内容"]
    assert "2. 人事の件\n\n3. 広報の件\n" in discussion
    assert "\n\n\n" not in discussion and not discussion.endswith("\n")


@pytest.mark.parametrize(("speaker", "text", "line"), [
    # A request names the person it is addressed to, not the one who asked.
    ("課長", "田中さん、12月10日までに案内文を作ってください。",
     "・田中さん、12月10日までに案内文を作ってください。（担当: 田中さん、期限: 12月10日）"),
    ("部長", "広報課長、来週水曜日までに確認をお願いします。",
     "・広報課長、来週水曜日までに確認をお願いします。（担当: 広報課長、期限: 来週水曜日）"),
    # A request to nobody by name has no owner yet; someone who takes a task owns it.
    ("課長", "資料の準備をお願いします。", "・資料の準備をお願いします。"),
    ("佐藤", "会場の手配は私が対応します。", "・会場の手配は私が対応します。（担当: 佐藤）"),
    ("Chair", "Tanaka, please send the notes by Friday.",
     "・Tanaka, please send the notes by Friday.（担当: Tanaka、期限: by Friday）"),
    (None, "I will book the room.", "・I will book the room."),
])
def test_action_items_name_the_owner_and_the_due_date(speaker, text, line):
    decisions, actions = minutes.suggestions([(speaker, text)])
    assert decisions == "" and actions == line
