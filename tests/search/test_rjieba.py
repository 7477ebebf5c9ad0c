"""jieba-rs (rjieba) cuts as jieba does: the words indexed and queried are jieba's words."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import jieba

from diancang.fixture_text import page, sentences
from search.words import _normal, initialise, short_words, split_tokens, words
from warc_store.charset import decode_html

CORPUS_PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"


def jiebas_words(text: str) -> list[str]:
    """What ``search.words.words`` gave when it cut with jieba in Python."""
    out: list[str] = []
    for chunk in _normal(text).split():
        out += split_tokens(jieba.cut(chunk))
    return out


def corpus() -> list[str]:
    texts = sentences(3000)
    texts += [page(i, 200).article for i in range(0, 200, 7)]
    texts += [page(i, 200).title for i in range(200)]
    for path in sorted(CORPUS_PAGES.glob("*.html")):
        texts.append(decode_html(path.read_bytes(), None)[1])
    texts += ["粤府〔2017〕12号 穗统字〔2018〕3号 5.04f32 7.6e-4 covid-19 x86_64 12th 5g网络",
              "Shenzhen Library opened its 12th branch in 2024, with 50000 books.",
              "他试图书写一部家族历史 市图书馆 ｍｐ３ 第3届 2018年3月9日 ⅲ期 ①号"]
    return texts


def test_rjieba_words_equal_jiebas_on_a_corpus() -> None:
    initialise()
    texts = corpus()
    assert sum(map(len, texts)) > 150_000          # characters compared
    for text in texts:
        assert words(text) == jiebas_words(text), text[:80]


def test_text_is_normalised_as_nfkc() -> None:
    for text in [*corpus(), "ＡＢＣ１２３，cafe\u0301 ﬁ ㍿ 豈 가 ｶﾞ"]:
        assert _normal(text) == unicodedata.normalize("NFKC", text).lower()


def test_subwords_still_keep_boundaries() -> None:
    assert "图书" not in words("他试图书写一部家族历史")
    assert words("市图书馆") == ["市图书馆"]


def test_the_subword_dictionary_is_jiebas_own() -> None:
    """short_words reads jieba's dictionary file for its 2-3 character words: exactly the
    words of that length jieba's prefix dictionary gives a frequency."""
    jieba.dt.check_initialized()
    frequencies: dict[str, int] = jieba.dt.FREQ
    assert short_words() == {word for word, n in frequencies.items()
                             if n and 2 <= len(word) <= 3}
    assert "图书" in short_words() and "书写" in short_words()
