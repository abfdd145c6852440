"""Access-matrix entries for the surveys package (build): see tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra`` (use ``lambda w: w.extra["key"]``).
``me`` is the signed-in user (None when anonymous), ``other`` a colleague in the same
section, ``ids`` department codes → ids. Called inside an app context; commit at the end.

The builder is HR's and the administrators' (``roles_required("hr", "admin")``). ``build``
makes a draft (a section holding a choice question with three options) and a published
survey asking everyone, which every signed-in person may read by the API.
"""

from __future__ import annotations

from tests.core.access_common import Call, extra

DRAFT = {"survey_id": extra("draft")}
SECTION = {**DRAFT, "section_id": extra("section")}
QUESTION = {**DRAFT, "question_id": extra("choice")}
OPTION = {**QUESTION, "option_id": extra("option")}
SETTINGS = {"title_ja": "行列調査", "min_group_size": "5", "closes_at": "2099-12-01T17:00",
            "anonymous": "y"}

ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/surveys/build"): Call(),
    ("GET", "/surveys/build/new"): Call(),
    ("POST", "/surveys/build/new"): Call(data={"source": "blank", "title_ja": "新規"}, ok=303),
    ("GET", "/surveys/<int:survey_id>/edit"): Call(params=DRAFT),
    ("POST", "/surveys/<int:survey_id>/edit"): Call(params=DRAFT, data=SETTINGS, ok=303),
    ("POST", "/surveys/<int:survey_id>/audience"): Call(params=DRAFT, data={"mode": "all"},
                                                        ok=303),
    ("GET", "/surveys/<int:survey_id>/preview"): Call(params=DRAFT),
    ("POST", "/surveys/<int:survey_id>/publish"): Call(params=DRAFT, ok=303),
    ("POST", "/surveys/<int:survey_id>/close"): Call(params={"survey_id": extra("published")},
                                                     ok=303),
    ("POST", "/surveys/<int:survey_id>/copy"): Call(params=DRAFT, ok=303),
    ("POST", "/surveys/<int:survey_id>/delete"): Call(params=DRAFT, ok=303),
    ("POST", "/surveys/<int:survey_id>/sections"): Call(params=DRAFT,
                                                        data={"title_ja": "節"}, ok=303),
    # Sections, questions and options: the small forms post ``action`` (up, down, delete)
    # to the part's own URL; the matrix sends the default (rename, save).
    ("POST", "/surveys/<int:survey_id>/sections/<int:section_id>"): Call(
        params=SECTION, data={"title_ja": "改名"}, ok=303),
    ("GET", "/surveys/<int:survey_id>/questions/new"): Call(params=DRAFT),
    ("POST", "/surveys/<int:survey_id>/questions/new"): Call(
        params=DRAFT, data={"type": "text", "text_ja": "追加"}, ok=303),
    ("GET", "/surveys/<int:survey_id>/questions/<int:question_id>"): Call(params=QUESTION),
    ("POST", "/surveys/<int:survey_id>/questions/<int:question_id>"): Call(
        params=QUESTION, data={"text_ja": "訂正", "section_id": ""}, ok=303),
    ("POST", "/surveys/<int:survey_id>/questions/<int:question_id>/options"): Call(
        params=QUESTION, data={"label_ja": "追加"}, ok=303),
    ("POST", "/surveys/<int:survey_id>/questions/<int:question_id>/options/<int:option_id>"):
        Call(params=OPTION, data={"label_ja": "訂正"}, ok=303),
    # JSON API: the matrix's form-encoded POST is refused as bad input (400) once the caller
    # is let in; the JSON answers are tested in test_surveys_build_api.py.
    ("POST", "/api/v1/surveys"): Call(ok=400),
    ("GET", "/api/v1/surveys"): Call(),
    ("GET", "/api/v1/surveys/<int:survey_id>"): Call(params={"survey_id": extra("published")}),
    ("POST", "/api/v1/surveys/<int:survey_id>/publish"): Call(params=DRAFT, ok=400),
    ("POST", "/api/v1/surveys/<int:survey_id>/close"): Call(
        params={"survey_id": extra("published")}, ok=400),
}


def build(app, me, other, ids) -> dict:
    from surveys import building, questions, sections
    from workhub.extensions import db
    from workhub.org.models import User

    owner = db.session.get(User, (me or other).id)
    draft = building.create_survey(owner, title_ja="行列の下書き")
    section = sections.add_section(draft, title_ja="節")
    sections.add_section(draft, title_ja="前の節").position = -1
    choice = questions.add_question(draft, type="single", text_ja="選択",
                                    section_id=section.id, options=["a", "b", "c"])
    published = building.create_survey(owner, title_ja="行列の公開")
    questions.add_question(published, type="date", text_ja="日付")
    building.publish(published, owner)
    db.session.commit()
    return {"draft": draft.id, "section": section.id, "choice": choice.id,
            "option": choice.options[0].id, "published": published.id}
