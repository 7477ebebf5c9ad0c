"""Words for full-text search: jieba segmentation, the same at index and at query time.

The cutting is jieba-rs's (``rjieba``: jieba's algorithm and its own dictionary, in Rust,
five times faster); its words equal jieba's (tests/search/test_words.py checks it on a
corpus), jieba's dictionary file (its 2-3 character words) still answers which subwords are words.

Both backends index the words made here, never their own parse of the text: SQLite's FTS5
(``unicode61``) sees words separated by spaces, PostgreSQL gets a ``tsvector`` literal built
from them.  So a two-character query such as 图书 matches where jieba found the word 图书
(or a dictionary word inside a longer one: 图书馆), never across a word boundary (试图|书写).

A document gives four lists: its title's words, its body's words (the main text and
metadata), the other words a reader sees on the page (navigation, lists; ranked after), all
in order for phrase queries, and ``subwords``: the dictionary words inside longer words, as
jieba's search mode finds them, each once, kept apart so they never sit between two words of
a phrase.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import jieba
import rjieba

jieba.setLogLevel(logging.WARNING)

# what one indexed word may hold: letters and digits (Han characters are letters)
_WORD = re.compile(r"[^\W_]+")
# how jieba's HMM pass splits a run of ASCII (finalseg's re_skip): 5.04f32 -> 5.04 | f32
_ASCII_RUN = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?")
MAX_WORDS = 16000        # per document: PostgreSQL keeps positions up to 16383


@dataclass(frozen=True, slots=True)
class DocumentWords:
    title: list[str]
    body: list[str]
    subwords: list[str]
    other: list[str] = field(default_factory=list)


def initialise() -> None:
    """Load the dictionaries now (half a second or so) rather than on the first page."""
    short_words()
    rjieba.cut("初始化")


# NFKC in two steps, the second rarely needed on Chinese text: a table for the CJK
# punctuation and full-width forms (replaced where a regex finds them: str.translate looks
# up every character of the text), then NFKC on any run of what else it may change (with
# the character before, which a combining mark composes with)
_FORMS = {c: unicodedata.normalize("NFKC", chr(c))
          for c in (*range(0x3000, 0x3040), *range(0xFF00, 0xFFF0))}
_FULL_WIDTH = {chr(c): n for c, n in _FORMS.items() if n != chr(c)}
_FULL_WIDTH_CHARS = re.compile("[" + "".join(map(re.escape, _FULL_WIDTH)) + "]")
_STABLE = "".join(re.escape(chr(c)) for c, n in _FORMS.items() if n == chr(c))
_MAYBE_COMPATIBLE = re.compile(rf"[^\x00-\x7f\u4e00-\u9fff{_STABLE}]+")


@lru_cache(maxsize=10_000)
def _nfkc(run: str) -> str:
    return unicodedata.normalize("NFKC", run)


def _full_width(match: re.Match[str]) -> str:
    return _FULL_WIDTH[match.group()]


def _normal(text: str) -> str:
    """NFKC, lower case: full-width letters and digits as ASCII.  Only the runs NFKC may
    change are normalised (punctuation between Han text): several times faster on Chinese."""
    text = _FULL_WIDTH_CHARS.sub(_full_width, text)
    out: list[str] = []
    last = 0
    for run in _MAYBE_COMPATIBLE.finditer(text):
        start = run.start() - 1 if run.start() > last else run.start()   # the one before
        out += (text[last:start], _nfkc(text[start:run.end()]))
        last = run.end()
    if not out:
        return text.lower()
    out.append(text[last:])
    return "".join(out).lower()


def split_tokens(tokens: Iterable[str]) -> list[str]:
    """A segmenter's tokens as indexed words: letters-and-digits runs, punctuation dropped."""
    out: list[str] = []
    for token in tokens:
        if "." in token and token.isascii():
            out += (w for run in _ASCII_RUN.findall(token) for w in _WORD.findall(run))
        elif _WORD.fullmatch(token):
            out.append(token)
        else:
            out += _WORD.findall(token)
    return out


@lru_cache(maxsize=50_000)
def _cut(chunk: str) -> tuple[str, ...]:
    tokens = rjieba.cut(chunk, True)
    if "." in chunk:
        return tuple(split_tokens(tokens))
    # no token holds two words then: a token is a word, or punctuation, or holds one
    out: list[str] = []
    for token in tokens:
        if token.isalnum():                 # what _WORD matches whole ([^\W_]: alnum)
            out.append(token)
        elif len(token) > 1:
            out += _WORD.findall(token)
    return tuple(out)


def words(text: str) -> list[str]:
    """The words of a text in order: jieba's precise cut, split into letters-and-digits runs.

    jieba cuts each run between spaces on its own anyway (a space ends a block), so the text
    is cut run by run through a cache: the navigation and footers that every page of a portal
    repeats are segmented once per worker, not once per page.
    """
    out: list[str] = []
    for chunk in _normal(text).split():
        out += _cut(chunk)
    return out


def subwords(of_words: Iterable[str]) -> list[str]:
    """Dictionary words of two and three characters inside longer words (jieba's search mode)."""
    found: list[str] = []
    for word in of_words:
        if len(word) > 2 and not word.isascii():
            found += _inside(word)
    return found


_DICTIONARY_LINE = re.compile(r"^(\S{2,3}) (\d+)", re.MULTILINE)


@cache
def short_words() -> frozenset[str]:
    """jieba's dictionary words of two and three characters (all that subwords and snippets
    ask about), read from its dictionary file as jieba reads it (a word's last line gives its
    frequency; frequency 0 is no word): a quarter of the CPU of ``jieba.initialize``, which
    builds the prefix dictionary of every word, and a tenth of its memory."""
    with jieba.get_dict_file() as dictionary_file:
        text = dictionary_file.read().decode("utf-8")
    frequencies = dict(_DICTIONARY_LINE.findall(text))
    return frozenset(word for word, frequency in frequencies.items() if frequency.strip("0"))


@lru_cache(maxsize=100_000)
def _inside(word: str) -> tuple[str, ...]:
    known = short_words()
    return tuple(gram for n in (2, 3) if len(word) > n
                 for gram in (word[i:i + n] for i in range(len(word) - n + 1))
                 if gram in known)


def _words_of(parts: Iterable[str | None], room: int) -> list[str]:
    found: list[str] = []
    for part in parts:
        if part:
            found += words(part)
            if len(found) >= room:
                break
    return found[:max(0, room)]


def document_words(title: str | None, parts: Iterable[str | None],
                   other_parts: Iterable[str | None] = ()) -> DocumentWords:
    """The words of a capture: its title, its text and metadata values (each segmented on
    its own, so a 文号 field is cut exactly as the same 文号 typed as a query), and the rest
    of what the page shows."""
    title_words = words(title or "")[:MAX_WORDS]
    body = _words_of(parts, MAX_WORDS - len(title_words))
    other = _words_of(other_parts, MAX_WORDS - len(title_words) - len(body))
    distinct = dict.fromkeys(title_words + body + other)
    return DocumentWords(title_words, body, list(dict.fromkeys(subwords(distinct)))[:MAX_WORDS],
                         other)


_QUOTED = re.compile(r'"([^"]*)"|(\S+)')


def query_terms(query: str) -> list[list[str]]:
    """A query's terms, each as its words: a term is a run between spaces, or everything
    between double quotes (a phrase).  One word matches anywhere; several must appear in this
    order, next to each other.  An unclosed quote runs to the end of the query."""
    if query.count('"') % 2:
        query += '"'
    terms = []
    for quoted, bare in _QUOTED.findall(query):
        found = words(quoted or bare)
        if found:
            terms.append(found)
    return terms


def phrases(query: str) -> list[list[str]]:
    """The whole query as a phrase, the ways it may stand in a page: its words in order, and
    its text run together then segmented (``古籍 普查`` typed apart is the one word 古籍普查
    in a page, as jieba cuts it there).  Empty for a one-word query: nothing to bring
    together."""
    terms = query_terms(query)
    joined = [w for term in terms for w in term]
    if len(joined) < 2:
        return []
    together = words("".join(query.replace('"', " ").split()))
    return [joined] + ([together] if together != joined else [])
