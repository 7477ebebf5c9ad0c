"""What a captured page says: text, title and metadata of HTML (trafilatura) and PDF (pypdf).

This runs in worker processes (``indexer.textpool``), one call per chunk of pages, so it
takes and returns plain picklable values.  Each page is decoded as a browser decodes it
(``warc_store.charset``): GBK and GB18030 pages come out as Chinese, never as mojibake.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

from indexer import govmeta
from search.words import document_words
from warc_store.charset import decode_html
from warc_store.reader import Http, payload

log = logging.getLogger(__name__)

HTML_MIMES = frozenset(("text/html", "application/xhtml+xml"))
PDF_MIMES = frozenset(("application/pdf", "application/x-pdf"))
MAX_HTML_BYTES = 10_000_000
MAX_TEXT_CHARS = 200_000
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_BLANKS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_LINK_SKIP = ("javascript:", "mailto:", "tel:", "#")


@dataclass(frozen=True, slots=True)
class Page:
    """One archived 2xx response to describe (the raw HTTP block and how to read it)."""
    key: int                  # the record's offset in its WARC file
    url: str
    mime: str
    block: bytes
    http: Http


def describe_chunk(pages: list[Page], pdf_max_bytes: int) -> list[tuple[int, dict[str, Any]]]:
    return [(page.key, describe(page, pdf_max_bytes)) for page in pages]


def describe(page: Page, pdf_max_bytes: int) -> dict[str, Any]:
    """The capture columns a page fills, plus its search words (``_title``, ``_body``,
    ``_sub``) and, if it could not be read, ``_error``."""
    try:
        fields = _pdf(page, pdf_max_bytes) if page.mime in PDF_MIMES else _html(page)
    except Exception as exc:  # noqa: BLE001 - one unreadable page must not stop the rest
        return {"_error": f"{type(exc).__name__}: {exc}"}
    text = fields.get("text")
    if text and len(text) > MAX_TEXT_CHARS:
        fields["text"] = text = text[:MAX_TEXT_CHARS]
    if not fields.get("language") and text:
        fields["language"] = _guess_language(text)
    found = document_words(fields.get("title"), [
        text, fields.get("description"), fields.get("doc_no"), fields.get("index_no"),
        fields.get("agency"), fields.get("subject")])
    fields["_title"] = " ".join(found.title)
    fields["_body"] = " ".join(found.body)
    fields["_sub"] = " ".join(found.subwords)
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _guess_language(text: str) -> str | None:
    """"zh" where Han characters outnumber Latin words (an undeclared Chinese page)."""
    sample = text[:2000]
    han = len(_CJK.findall(sample))
    return "zh" if han and han > len(_LATIN_WORD.findall(sample)) else None


def _clean_text(text: str) -> str:
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _html(page: Page) -> dict[str, Any]:
    import trafilatura

    body = payload(page.block, page.http, MAX_HTML_BYTES)
    charset, text = decode_html(body, page.http.header("content-type"))
    fields: dict[str, Any] = {"charset": charset}
    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", text, count=1))
    except (etree.ParserError, ValueError):
        return fields
    fields["language"] = _declared_language(root)
    hrefs = {el.get("href", "").strip() for el in root.iter("a", "area")}
    fields["outlinks"] = sum(1 for h in hrefs if h and not h.lower().startswith(_LINK_SKIP))
    fields.update(govmeta.extract(root))
    page_title = root.findtext(".//title")
    doc = trafilatura.bare_extraction(root, url=page.url, with_metadata=True, fast=True,
                                      include_comments=False, include_tables=True)
    if doc is not None:
        meta = doc if isinstance(doc, dict) else doc.as_dict()
        fields.update(title=meta.get("title"), author=meta.get("author"),
                      sitename=meta.get("sitename"), description=meta.get("description"),
                      page_date=meta.get("date"), text=_clean_text(meta.get("text") or ""))
    if not fields.get("title") and page_title:
        fields["title"] = " ".join(page_title.split())
    if not fields.get("text"):
        for junk in root.xpath("//script|//style|//noscript"):
            junk.drop_tree()
        fields["text"] = _clean_text(root.text_content())
    return fields


def _declared_language(root: etree._Element) -> str | None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        metas = root.xpath("//meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')"
                           "='content-language']/@content")
        lang = metas[0] if metas else None
    return lang.strip().lower()[:35] or None if lang else None


def _pdf(page: Page, max_bytes: int) -> dict[str, Any]:
    from pypdf import PdfReader

    body = payload(page.block, page.http, max_bytes + 1)
    if len(body) > max_bytes:
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
    fields: dict[str, Any] = {"text": _clean_text("\n".join(texts))}
    if info is not None:
        fields["title"] = str(info.title).strip() if info.title else None
        fields["author"] = str(info.author).strip() if info.author else None
        try:
            created = info.creation_date if info.get("/CreationDate") else None
        except ValueError:      # a malformed date string
            created = None
        fields["page_date"] = created.strftime("%Y-%m-%d") if created else None
    return fields
