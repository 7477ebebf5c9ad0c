"""search.words: jieba's segmentation as both backends index it and as queries are cut."""

from __future__ import annotations

from search.words import MAX_WORDS, DocumentWords, document_words, query_terms, subwords, words


def test_chinese_text_is_cut_into_dictionary_words_in_order() -> None:
    assert words("深圳图书馆举办读书节") == ["深圳", "图书馆", "举办", "读书节"]


def test_a_word_is_never_made_across_a_word_boundary() -> None:
    # 图书 is in 试图书写 as characters, not as a word: a search for 图书 must not find it
    assert words("试图书写历史") == ["试图", "书写", "历史"]


def test_width_and_case_are_folded_and_punctuation_dropped() -> None:
    assert words("ＡＢＣ１２３ Hello, World!") == ["abc123", "hello", "world"]


def test_a_document_number_is_cut_as_a_query_for_it_is() -> None:
    assert words("粤府〔2017〕12号") == ["粤府", "2017", "12", "号"]
    assert query_terms("粤府〔2017〕12号") == [["粤府", "2017", "12", "号"]]


def test_subwords_are_the_dictionary_words_inside_longer_chinese_words() -> None:
    assert subwords(["深圳", "图书馆", "读书节"]) == ["图书", "书馆", "读书"]
    assert subwords(["图书", "hello", "ab"]) == []      # short and Latin words have none


def test_query_terms_are_the_space_separated_terms_each_as_its_words() -> None:
    assert query_terms("图书馆  深圳图书馆 ，") == [["图书馆"], ["深圳", "图书馆"]]
    assert query_terms(" ， 。") == []


def test_document_words_keep_title_body_and_subwords_apart() -> None:
    found = document_words("深圳图书馆", ["读书节开幕", None, "", "粤府〔2017〕12号"])
    assert found == DocumentWords(title=["深圳", "图书馆"],
                                  body=["读书节", "开幕", "粤府", "2017", "12", "号"],
                                  subwords=["图书", "书馆", "读书"])
    assert document_words(None, []) == DocumentWords([], [], [])


def test_a_document_keeps_at_most_max_words_positions() -> None:
    found = document_words("标题", ["词 " * (MAX_WORDS + 500), "不再读到"])
    assert found.title == ["标题"]
    assert len(found.title) + len(found.body) == MAX_WORDS
    assert set(found.body) == {"词"}
