"""Built-in survey templates: a ready draft in Japanese and English, made through the same
services as a survey built by hand (so every rule holds for it too).

``telework``: テレワーク・働き方アンケート / Telework and work-style survey — how often
people telework, satisfaction (one agreement question and a grid), productivity compared
with the office (0–10), obstacles (network, devices, communication, attendance management,
paper documents, home environment, other with a text), wishes (free text) and an optional
bureau question: a coarse group that anonymous results can still be cross-tabbed by.
"""

from __future__ import annotations

from flask_babel import gettext as _

from surveys import questions as qs
from surveys import sections as sec
from surveys.building import create_survey
from surveys.models import Survey
from workhub.errors import NotFound
from workhub.org.models import User


def _options(*pairs: tuple[str, str, str]) -> list[dict]:
    return [{"key": key, "label_ja": ja, "label_en": en} for key, ja, en in pairs]


TELEWORK = {
    "title_ja": "テレワーク・働き方アンケート",
    "title_en": "Telework and work-style survey",
    "description_ja": (
        "テレワークと働き方の現状と課題を把握し、今後の取組に生かすためのアンケートです。"
        "所要時間は5分程度です。\n回答は統計的に処理し、少人数の集計は表示しません。"),
    "description_en": (
        "This survey helps us understand how telework and our ways of working are going and "
        "what gets in the way. It takes about five minutes.\nAnswers are only shown as "
        "statistics; groups that are too small are never shown."),
    "anonymous": True,
    "sections": [
        ("働き方", "How you work", [
            {"key": "telework_frequency", "type": "single", "required": True,
             "text_ja": "この3か月間、どのくらいの頻度でテレワークをしましたか。",
             "text_en": "Over the last three months, how often did you telework?",
             "options": _options(("daily", "ほぼ毎日", "Almost every day"),
                                 ("w3_4", "週3〜4日", "3–4 days a week"),
                                 ("w1_2", "週1〜2日", "1–2 days a week"),
                                 ("monthly", "月に数日", "A few days a month"),
                                 ("none", "していない", "Not at all"))},
        ]),
        ("満足度", "Satisfaction", [
            {"key": "satisfaction", "type": "likert", "required": True,
             "text_ja": "今の働き方に満足している。",
             "text_en": "I am satisfied with the way I work now."},
            {"key": "satisfaction_items", "type": "likert_matrix",
             "text_ja": "次のそれぞれについて、どの程度そう思いますか。",
             "text_en": "How far do you agree with each of the following?",
             "options": _options(
                 ("focus", "自宅でも集中して仕事ができる", "I can concentrate on work at home"),
                 ("communication", "上司や同僚と十分に連絡が取れている",
                  "I can reach my manager and colleagues well enough"),
                 ("balance", "仕事と生活のバランスが取れている",
                  "I have a good balance between work and private life"),
                 ("evaluation", "仕事の成果が適切に評価されている",
                  "My work is evaluated fairly"),
                 ("health", "心身の健康を保てている", "I stay healthy in body and mind"))},
        ]),
        ("生産性", "Productivity", [
            {"key": "productivity", "type": "rating",
             "text_ja": "出勤して働くときの生産性を5とすると、テレワークのときの生産性はどのくらい"
                        "ですか。",
             "text_en": "If your productivity at the office is 5, how productive are you when "
                        "teleworking?",
             "help_ja": "0 = まったく仕事にならない、10 = 出勤時の2倍",
             "help_en": "0 = no work gets done, 10 = twice as much as at the office"},
        ]),
        ("課題", "Obstacles", [
            {"key": "obstacles", "type": "multiple",
             "text_ja": "テレワークで困っていることをすべて選んでください。",
             "text_en": "What gets in the way when you telework? Choose all that apply.",
             "options": _options(
                 ("network", "通信環境（回線・VPN）", "Network (line, VPN)"),
                 ("devices", "端末・機器", "Computers and devices"),
                 ("communication", "コミュニケーション", "Communication"),
                 ("attendance", "勤怠管理", "Attendance management"),
                 ("paper", "紙の書類・押印", "Paper documents and seals"),
                 ("home", "自宅の作業環境", "Working conditions at home"),
                 ("other", "その他", "Other"))},
            {"key": "obstacles_other", "type": "text",
             "text_ja": "「その他」の内容を教えてください。",
             "text_en": "What else gets in the way?",
             "show_if": ("obstacles", "other")},
        ]),
        ("要望", "Wishes", [
            {"key": "wishes", "type": "longtext",
             "text_ja": "今後の働き方について、ご意見・ご要望を自由にお書きください。",
             "text_en": "Any comments or wishes about how we should work from now on?",
             "help_ja": "個人が特定される内容は書かないでください。",
             "help_en": "Please do not write anything that identifies a person."},
        ]),
        ("回答者について", "About you", [
            {"key": "bureau", "type": "single",
             "text_ja": "所属している局・区を選んでください（任意）。",
             "text_en": "Which bureau or ward office do you work in? (optional)",
             "help_ja": "大まかな集計にのみ使います。人数の少ない集計は表示されません。",
             "help_en": "Only used for coarse comparisons; small groups are never shown.",
             "options": _options(("general_affairs", "総務局", "General Affairs Bureau"),
                                 ("finance", "財政局", "Finance Bureau"),
                                 ("citizens", "市民局", "Citizens' Affairs Bureau"),
                                 ("welfare", "健康福祉局", "Health and Welfare Bureau"),
                                 ("urban", "都市整備局", "Urban Development Bureau"),
                                 ("education", "教育委員会事務局", "Board of Education"),
                                 ("wards", "区役所", "Ward offices"),
                                 ("other", "その他", "Other"))},
        ]),
    ],
}

TEMPLATES = {"telework": TELEWORK}


def template_titles() -> list[tuple[str, str, str]]:
    """(key, Japanese title, English title) of every built-in template."""
    return [(key, t["title_ja"], t["title_en"]) for key, t in TEMPLATES.items()]


def create_from_template(actor: User, key: str) -> Survey:
    """A new draft built from template ``key`` (asking everyone, no times set yet)."""
    template = TEMPLATES.get(key) if isinstance(key, str) else None
    if template is None:
        raise NotFound(_("No such template."), field="template")
    survey = create_survey(actor, **{name: template[name] for name in (
        "title_ja", "title_en", "description_ja", "description_en", "anonymous")})
    survey.template_key = key
    for title_ja, title_en, items in template["sections"]:
        section = sec.add_section(survey, title_ja=title_ja, title_en=title_en)
        for item in items:
            fields = {k: v for k, v in item.items() if k != "show_if"}
            target, option = item.get("show_if", (None, None))
            qs.add_question(survey, section_id=section.id, show_if_question=target,
                            show_if_option_key=option, **fields)
    return survey
