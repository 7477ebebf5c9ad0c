"""What a captured page says: text, title and metadata of HTML (``indexer.visible_text``,
lxml) and PDF (pypdf).

This runs in worker processes (``indexer.textpool``), one call per chunk of pages, so it
takes and returns plain picklable values.  Each page is decoded as a browser decodes it
(``warc_store.charset``): GBK and GB18030 pages come out as Chinese, never as mojibake.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.html
from htmldate import find_date
from lxml import etree

from indexer import govmeta
from indexer.visible_text import clean_lines, visible
from search.words import document_words
from warc_store.charset import decode_html
from warc_store.reader import Http, payload

log = logging.getLogger(__name__)

HTML_MIMES = frozenset(("text/html", "application/xhtml+xml"))
PDF_MIMES = frozenset(("application/pdf", "application/x-pdf"))
MAX_TEXT_CHARS = 200_000
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_LINK_SKIP = ("javascript:", "mailto:", "tel:", "#")
_META = {"author": "author", "description": "description", "og:description": "description",
         "og:site_name": "sitename", "sitename": "sitename", "pubdate": "page_date",
         "article:published_time": "page_date", "publishdate": "page_date",
         "firstpublishedtime": "page_date"}
_ISO_DATE = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})")


@dataclass(frozen=True, slots=True)
class Page:
    """One archived 2xx response to describe (the raw HTTP block and how to read it)."""
    key: int                  # the record's offset in its WARC file
    url: str
    mime: str
    block: bytes
    http: Http


def describe_chunk(pages: list[Page], pdf_max_bytes: int,
                   max_decoded_bytes: int) -> list[tuple[int, dict[str, Any]]]:
    return [(page.key, describe(page, pdf_max_bytes, max_decoded_bytes)) for page in pages]


def describe(page: Page, pdf_max_bytes: int, max_decoded_bytes: int) -> dict[str, Any]:
    """The capture columns a page fills, plus its search words (``_title``, ``_body``: the
    main text and metadata, ``_other``: the rest of the page, ``_sub``) and, if it could not
    be read, ``_error``.  ``text`` is the main text, then the rest (snippets come from it).
    An HTML page is read from at most ``max_decoded_bytes`` of its decoded payload
    (``text_truncated`` says it was cut)."""
    try:
        fields = (_pdf(page, pdf_max_bytes) if page.mime in PDF_MIMES
                  else _html(page, max_decoded_bytes))
    except Exception as exc:  # noqa: BLE001 - one unreadable page must not stop the rest
        return {"_error": f"{type(exc).__name__}: {exc}"}
    text = fields.get("text")
    if text and len(text) > MAX_TEXT_CHARS:
        fields["text"] = text = text[:MAX_TEXT_CHARS]
    if not fields.get("language") and text:
        fields["language"] = _guess_language(text)
    main, rest = fields.pop("_main", text), fields.pop("_rest", None)
    found = document_words(fields.get("title"), [
        main, fields.get("description"), fields.get("doc_no"), fields.get("index_no"),
        fields.get("agency"), fields.get("subject")], [rest])
    fields["_title"] = " ".join(found.title)
    fields["_body"] = " ".join(found.body)
    fields["_other"] = " ".join(found.other)
    fields["_sub"] = " ".join(found.subwords)
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _guess_language(text: str) -> str | None:
    """"zh" where Han characters outnumber Latin words (an undeclared Chinese page)."""
    sample = text[:2000]
    han = len(_CJK.findall(sample))
    return "zh" if han and han > len(_LATIN_WORD.findall(sample)) else None


def _html(page: Page, max_bytes: int) -> dict[str, Any]:
    body, cut = payload(page.block, page.http, max_bytes)
    charset, text = decode_html(body, page.http.header("content-type"))
    fields: dict[str, Any] = {"charset": charset, "text_truncated": True if cut else None}
    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", text, count=1))
    except (etree.ParserError, ValueError):
        return fields
    fields["language"] = _declared_language(root)
    hrefs = {el.get("href", "").strip() for el in root.iter("a", "area")}
    fields["outlinks"] = sum(1 for h in hrefs if h and not h.lower().startswith(_LINK_SKIP))
    fields.update(govmeta.extract(root))
    fields.update(_meta(root))
    seen = visible(root)
    fields.update(title=seen.title, text="\n".join(t for t in (seen.main, seen.rest) if t),
                  _main=seen.main, _rest=seen.rest)
    if not fields.get("page_date"):
        fields["page_date"] = fields.get("published_date") or _found_date(root)
    return fields


def _found_date(root: etree._Element) -> str | None:
    """The page's date where neither its ``<meta>`` tags nor a 政府信息公开 table give one:
    htmldate's search (``<time>``, URL, bylines, text), with the options trafilatura's
    ``extract_metadata`` gives it, a millisecond or so, paid only by the pages that need it
    (``extract_metadata`` itself also sought authors, tags and licences: three times that)."""
    og_url = root.xpath("//meta[@property='og:url']/@content")
    try:
        date = find_date(root, extensive_search=True, original_date=True,
                         max_date=datetime.now().astimezone().strftime("%Y-%m-%d"),
                         url=og_url[0].strip() if og_url else None)
    except Exception:   # noqa: BLE001 - a page htmldate cannot read just has no date
        return None
    return date if date and _ISO_DATE.match(date) else None


def _meta(root: etree._Element) -> dict[str, Any]:
    """Author, site name, description and date from the page's ``<meta>`` tags."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = " ".join((meta.get("content") or "").split())
        if name in _META and content and _META[name] not in found:
            found[_META[name]] = content[:1000]
    if "page_date" in found:
        date = _ISO_DATE.search(found["page_date"])
        found["page_date"] = (f"{date[1]}-{int(date[2]):02d}-{int(date[3]):02d}"
                              if date else "")
    return found


def _declared_language(root: etree._Element) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        metas = root.xpath("//meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')"
                           "='content-language']/@content")
        lang = metas[0] if metas else None
    return lang.strip().lower()[:35] or None if lang else None


def _pdf(page: Page, max_bytes: int) -> dict[str, Any]:
    from pypdf import PdfReader

    body, cut = payload(page.block, page.http, max_bytes)
    if cut:
        log.info("%s: PDF over %d bytes, text not extracted", page.url, max_bytes)
        return {}
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(body))
    texts = []
    size = 0
    for pdf_page in reader.pages:
        texts.append(pdf_page.extract_text() or "")
        size += len(texts[-1])
        if size > MAX_TEXT_CHARS:
            break
    info = reader.metadata
    fields: dict[str, Any] = {"text": clean_lines("\n".join(texts))}
    if info is not None:
        fields["title"] = str(info.title).strip() if info.title else None
        fields["author"] = str(info.author).strip() if info.author else None
        try:
            created = info.creation_date if info.get("/CreationDate") else None
        except ValueError:      # a malformed date string
            created = None
        fields["page_date"] = created.strftime("%Y-%m-%d") if created else None
    return fields
