"""Built-in survey templates: a ready draft in Japanese and English, made through the same
services as a survey built by hand (so every rule holds for it too).

``telework``: テレワーク・働き方アンケート / Telework and work-style survey — how often
people telework, satisfaction (one agreement question and a grid), productivity compared
with the office (0–10), obstacles (network, devices, communication, attendance management,
paper documents, home environment, other with a text), wishes (free text) and an optional
bureau question: a coarse group that anonymous results can still be cross-tabbed by.

``online_meetings``: オンライン会議ツールに関するアンケート / Online meeting tools survey — how
often people meet online and on which tools, the tool they use most (sound, picture, connection,
ease, meeting outsiders), the tool they would rather use, how efficient an online meeting is
compared with one in person (0–10), what equipment is missing, and free comments.
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

# The city's plan asks to compare the online meeting tools and ways of meeting (手法比較): the
# full comparison beside the organisers' ten-second ratings of each meeting.
ONLINE_MEETINGS = {
    "title_ja": "オンライン会議ツールに関するアンケート",
    "title_en": "Online meeting tools survey",
    "description_ja": (
        "オンライン会議のツールと進め方を比較し、今後の環境整備に生かすためのアンケートです。"
        "所要時間は5分程度です。\n回答は統計的に処理し、少人数の集計は表示しません。"),
    "description_en": (
        "This survey compares the online meeting tools and ways of meeting, to decide how we "
        "equip online meetings from now on. It takes about five minutes.\nAnswers are only "
        "shown as statistics; groups that are too small are never shown."),
    "anonymous": True,
    "sections": [
        ("利用状況", "How you meet online", [
            {"key": "meeting_frequency", "type": "single", "required": True,
             "text_ja": "この3か月間、どのくらいの頻度でオンライン会議に参加しましたか。",
             "text_en": "Over the last three months, how often did you take part in an "
                        "online meeting?",
             "options": _options(("daily", "ほぼ毎日", "Almost every day"),
                                 ("weekly", "週に数回", "A few times a week"),
                                 ("monthly", "月に数回", "A few times a month"),
                                 ("rarely", "ほとんどない", "Hardly ever"))},
            {"key": "tools_used", "type": "multiple", "required": True,
             "text_ja": "使ったことのあるツールをすべて選んでください。",
             "text_en": "Which tools have you used? Choose all that apply.",
             "options": _options(("teams", "Microsoft Teams", "Microsoft Teams"),
                                 ("zoom", "Zoom", "Zoom"), ("webex", "Webex", "Webex"),
                                 ("other", "その他", "Other"))},
        ]),
        ("ツールの比較", "Comparing the tools", [
            {"key": "tool_quality", "type": "likert_matrix",
             "text_ja": "いちばんよく使うツールについて、どの程度そう思いますか。",
             "text_en": "About the tool you use most, how far do you agree?",
             "options": _options(
                 ("sound", "音声が聞き取りやすい", "The sound is easy to follow"),
                 ("picture", "映像や画面共有が見やすい",
                  "The picture and shared screens are clear"),
                 ("connection", "接続が安定している", "The connection is stable"),
                 ("joining", "参加や操作が簡単だ", "Joining and using it is easy"),
                 ("externals", "外部の人とも会議しやすい",
                  "Meeting people outside the city is easy"))},
            {"key": "preferred_tool", "type": "single",
             "text_ja": "今後、主に使いたいツールはどれですか。",
             "text_en": "Which tool would you rather use from now on?",
             "options": _options(("teams", "Microsoft Teams", "Microsoft Teams"),
                                 ("zoom", "Zoom", "Zoom"), ("webex", "Webex", "Webex"),
                                 ("no_preference", "こだわらない", "No preference"))},
        ]),
        ("進め方", "Ways of meeting", [
            {"key": "meeting_value", "type": "rating",
             "text_ja": "対面の会議を5とすると、オンライン会議の効率はどのくらいですか。",
             "text_en": "If a meeting in person is 5, how efficient is an online meeting?",
             "help_ja": "0 = まったく進まない、10 = 対面の2倍",
             "help_en": "0 = nothing gets done, 10 = twice as much as in person"},
            {"key": "equipment_needs", "type": "multiple",
             "text_ja": "オンライン会議のために必要なものをすべて選んでください。",
             "text_en": "What do online meetings need? Choose all that apply.",
             "options": _options(
                 ("headset", "ヘッドセット・マイク", "Headsets and microphones"),
                 ("camera", "カメラ", "Cameras"),
                 ("room_kit", "会議室の機材（スピーカーフォン等）",
                  "Meeting-room kits (speakerphones and the like)"),
                 ("rooms", "個室・ブース", "Quiet rooms and booths"),
                 ("network", "通信環境", "A better network"),
                 ("training", "操作研修", "Training"),
                 ("other", "その他", "Other"))},
            {"key": "comments", "type": "longtext",
             "text_ja": "オンライン会議について、ご意見・ご要望を自由にお書きください。",
             "text_en": "Any comments or wishes about online meetings?",
             "help_ja": "個人が特定される内容は書かないでください。",
             "help_en": "Please do not write anything that identifies a person."},
        ]),
    ],
}

TEMPLATES = {"telework": TELEWORK, "online_meetings": ONLINE_MEETINGS}


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
