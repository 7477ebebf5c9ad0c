"""Lists that two Chinese government CMSs build with scripts, read without a browser.

TRS WCM publishes a column's list as ``index.html``, ``index_1.html`` ... ``index_{N-1}.html``
and links them only from a pager that a script draws: the page calls
``createPageHTML(N, current, "index", "html")`` (a function of an external script) with the
page count, the 0-based index of this page, the pages' common name and their extension.
Some sites' variants put the pager's element id first, or a record count last; the count,
name and extension are where the pages are, wherever the call sits.

Hanweb (大汉) jpage lists carry their first records in the page, in
``<script type="text/xml"><datastore><recordset><record><![CDATA[<li><a href=...>]]>``, and
fetch the rest by POSTing the column's form fields (``col, appid, webid, path, columnid,
sourceContentType, unitid, webname, permissiontype``, written in the page's script) to
``/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15``, answered in the
same XML.  The first group's size (the records in the page) is the step; the lists are
walked one group at a time, up to the total the script names, or until a group comes back
short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from crawler.extract import from_html

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
JPAGE_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
                "webname", "permissiontype")
MAX_TRS_PAGES = 5000           # a pager's count beyond this is a template gone wrong
MAX_JPAGE_RECORDS = 100_000    # records one jpage list is walked to, at most

_NUMBER_OR_NAME = r"(\d+|[A-Za-z_$][\w$]*)"
_QUOTED = r"""(?:"([^"\\]*)"|'([^'\\]*)')"""
_TRS_CALL = re.compile(
    r"createPageHTML\s*\(\s*(?:" + _QUOTED + r"\s*,\s*)?" + _NUMBER_OR_NAME + r"\s*,\s*"
    + _NUMBER_OR_NAME + r"\s*,\s*" + _QUOTED + r"\s*,\s*" + _QUOTED)
_DATASTORE = re.compile(r"<datastore\b.*?</datastore\s*>", re.IGNORECASE | re.DOTALL)
_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record\s*>",
                     re.IGNORECASE | re.DOTALL)
_TOTAL = re.compile(r"""(?:totalRecord\s*[:=]\s*["']?|<totalrecord>\s*)(\d+)""", re.IGNORECASE)
_PER_PAGE = re.compile(r"""perPage\s*[:=]\s*["']?(\d+)""", re.IGNORECASE)
_PROXY = re.compile(r"""proxyUrl\s*[:=]\s*["']([^"'\s]+)["']""")
_FIELD = re.compile(r"\b(" + "|".join(JPAGE_FIELDS) + r")\s*[:=]\s*(?:" + _QUOTED
                    + r"""|([^,&}\s'"<>\]]*))""")


def _number(token: str, script: str) -> int | None:
    """A literal, or a variable the script sets to a literal (``var countPage = 5``)."""
    if token.isdigit():
        return int(token)
    found = re.search(r"\b" + re.escape(token) + r"""\s*=\s*["']?(\d+)""", script)
    return int(found.group(1)) if found else None


def trs_pages(text: str) -> list[str]:
    """The list pages a TRS ``createPageHTML`` pager links (relative to the page)."""
    if "createPageHTML" not in text:
        return []
    pages: list[str] = []
    for match in _TRS_CALL.finditer(text):
        count = _number(match.group(3), text)
        name = match.group(5) or match.group(6)
        ext = match.group(7) or match.group(8)
        if count is None or not name or not ext:
            continue
        pages.append(f"{name}.{ext}")
        pages += [f"{name}_{i}.{ext}" for i in range(1, min(count, MAX_TRS_PAGES))]
    return list(dict.fromkeys(pages))


@dataclass(frozen=True, slots=True)
class Records:
    """What the records of a jpage group link to and load."""
    count: int
    links: list[str] = field(default_factory=list)
    embeds: list[str] = field(default_factory=list)


def records(xml: str) -> Records:
    """The links and requisites of the ``<record>``s of a jpage datastore (or answer)."""
    fragments = [a or b for a, b in _RECORD.findall(xml)]
    if not fragments:
        return Records(0)
    html = "<!doctype html><html><body>" + "".join(fragments) + "</body></html>"
    found = from_html(html.encode("utf-8"), "utf-8")
    return Records(len(fragments), found.links, found.embeds)


@dataclass(frozen=True, slots=True)
class JPage:
    """One jpage list of a page: its first records and how to ask for the next group."""
    first: Records
    proxy: str                         # the dataproxy URL, relative to the page
    form: tuple[tuple[str, str], ...]  # the form fields, in the order the script gives them
    step: int                          # records per request (the first group's size)
    per_page: int
    total: int | None                  # records in the list, when the script says

    def request(self, start: int) -> tuple[str, bytes] | None:
        """The POST for the group from record ``start`` (1-based): its URL and form body;
        None past the end of the list."""
        last = min(self.total or MAX_JPAGE_RECORDS, MAX_JPAGE_RECORDS)
        if start > last or self.step <= 0:
            return None
        end = start + self.step - 1
        url = f"{self.proxy}?startrecord={start}&endrecord={end}&perpage={self.per_page}"
        return url, urlencode(self.form).encode("utf-8")


def jpage_lists(text: str) -> list[JPage]:
    """The jpage lists of a page: each ``<datastore>`` and the script after it."""
    if "datastore" not in text:
        return []
    stores = list(_DATASTORE.finditer(text))
    lists = []
    for i, store in enumerate(stores):
        # the list's settings: the datastore itself and the script up to the next list
        after = text[store.start():stores[i + 1].start() if i + 1 < len(stores) else None]
        first = records(store.group(0))
        form: dict[str, str] = {}
        # the script's own order first (it is the body the page's script posts), then any
        # field only the datastore's <nextgroup> link names
        for name, double, single, bare in _FIELD.findall(after[len(store.group(0)):]) \
                + _FIELD.findall(store.group(0)):
            form.setdefault(name, double or single or bare)
        total = _TOTAL.search(after)
        per_page = _PER_PAGE.search(after)
        proxy = _PROXY.search(after)
        step = first.count or (int(per_page.group(1)) if per_page else 0)
        lists.append(JPage(
            first=first, proxy=proxy.group(1) if proxy else DATAPROXY,
            form=tuple(form.items()) if "columnid" in form else (),
            step=step, per_page=int(per_page.group(1)) if per_page else step,
            total=int(total.group(1)) if total else None))
    return lists


def post_key(url: str, body: bytes) -> str:
    """A POST's identity for deduplication, as pywb keys it: the form appended to the URL."""
    return f"{url}{'&' if '?' in url else '?'}__wb_method=POST&{body.decode('latin-1')}"
