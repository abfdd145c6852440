"""Free-text analysis (surveys/textmine.py) on real Japanese and English answers: content
words in dictionary form, no particles, auxiliaries, numbers, symbols or stop words; noun
compounds and noun-の-noun phrases; counts of answers, not of occurrences."""

from __future__ import annotations

import threading

from surveys.textmine import analyse, terms

ANSWERS = [
    "通信環境が不安定で会議が途切れる",
    "自宅のネットワークが遅い",
    "在宅勤務の日はWeb会議がよく切れます。VPNの接続も遅いです。",
    "書類の電子化を進めてほしい。印鑑が必要な手続きが多い。",
    "Web会議の通信環境が悪く、音声が聞き取りにくい",
]
PARTICLES = {"が", "の", "を", "に", "は", "で", "も", "て", "と", "へ"}


def words_of(analysis) -> dict[str, int]:
    return {t.text: t.count for t in analysis.words}


def phrases_of(analysis) -> dict[str, int]:
    return {t.text: t.count for t in analysis.phrases}


def test_japanese_content_words_are_found_and_particles_are_not():
    analysis = analyse(ANSWERS)
    words = words_of(analysis)
    assert "ネットワーク" in words
    assert words["会議"] == 3  # three answers speak of meetings
    assert "通信環境" in words or {"通信", "環境"} <= set(words)
    assert not PARTICLES & set(words)
    assert not {"です", "ます", "。", "、"} & set(words)
    assert analysis.answers == len(ANSWERS)


def test_verbs_and_adjectives_come_in_dictionary_form():
    words, _phrases = terms("会議がよく切れます。VPNの接続も遅かった。")
    assert {"切れる", "遅い", "VPN", "接続", "会議"} <= words
    assert "切れ" not in words and "遅かっ" not in words


def test_phrases_join_nouns_and_noun_no_noun():
    phrases = phrases_of(analyse(ANSWERS))
    assert phrases["通信環境"] == 2
    assert "自宅のネットワーク" in phrases
    assert "書類の電子化" in phrases
    assert "Web会議" in phrases


def test_stop_words_numbers_symbols_and_one_kana_are_left_out():
    words, _phrases = terms("特にありません。3台、２０２６年　こと ものがある！？")
    assert not words & {"特に", "ある", "こと", "もの", "3", "２０２６", "！", "？", "が"}


def test_a_term_counts_answers_not_repetitions():
    analysis = analyse(["会議会議会議。会議が多い", "会議が長い"])
    assert words_of(analysis)["会議"] == 2


def test_english_words_are_lower_case_without_stop_words_with_bigrams():
    analysis = analyse([
        "The VPN is slow and video calls drop.",
        "Video calls drop every afternoon; I want a faster VPN.",
    ])
    words = words_of(analysis)
    assert words["vpn"] == 2 and words["calls"] == 2
    assert not {"the", "is", "and", "i", "a", "want"} & set(words)
    assert phrases_of(analysis)["video calls"] == 2


def test_most_frequent_first_and_limited():
    analysis = analyse(ANSWERS, top_words=3, top_phrases=1)
    counts = [t.count for t in analysis.words]
    assert len(counts) == 3 and counts == sorted(counts, reverse=True)
    assert analysis.words[0].text == "会議"
    assert len(analysis.phrases) == 1


def test_empty_and_hostile_text():
    assert analyse([]).words == []
    assert analyse(["", "   ", "!!!", "=cmd|' /C calc'!A0"]).answers == 4
    long_answer = "通信環境が不安定です。" * 2000  # longer than Sudachi takes at once
    assert "通信環境" in terms(long_answer)[1]


def test_threads_analyse_at_the_same_time():
    found: list[set[str]] = []

    def work():
        found.append(terms("自宅のネットワークが遅い")[0])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [{"自宅", "ネットワーク", "遅い"}] * 4
