"""Government open-information metadata (政府信息公开) from a page's label/value table.

Such pages carry a small table or list: 索引号 | 000014349/2017-00123, 发布机构 | 广东省人民
政府办公厅, 文号 | 粤府〔2017〕12号 ...  Which label fills which column is data
(``govmeta_labels.yaml``); this module only finds labels and their values in the tree:
the value is the rest of the label's own text after a colon ("文号：粤府〔2017〕12号"), or
else the text of the next element (the next table cell), climbing one level when the label
sits in a ``<b>`` or ``<span>`` inside the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from lxml import etree

from catalog.models import GOV_FIELDS as FIELDS

LABELS_FILE = Path(__file__).with_name("govmeta_labels.yaml")
MAX_VALUE = 200
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_CANDIDATE_TAGS = frozenset(("td", "th", "dt", "dd", "span", "li", "p", "div", "label", "b",
                             "strong", "em", "font", "i", "h4", "h5", "h6"))


@dataclass(frozen=True, slots=True)
class LabelTable:
    by_label: dict[str, str]        # normalised label -> column
    dates: frozenset[str]           # columns holding dates
    pattern: re.Pattern[str]        # a label at the start of a normalised text
    inline: re.Pattern[str]         # "label：" anywhere in a text (spaces inside allowed)


@cache
def label_table(path: Path = LABELS_FILE) -> LabelTable:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_label: dict[str, str] = {}
    dates = set()
    for column, spec in data.items():
        if column not in FIELDS:
            raise ValueError(f"{path}: {column}: not a gov metadata column ({', '.join(FIELDS)})")
        for label in spec["labels"]:
            by_label[normalise(label)] = column
        if spec.get("date"):
            dates.add(column)
    alternatives = "|".join(sorted(map(re.escape, by_label), key=len, reverse=True))
    return LabelTable(by_label, frozenset(dates),
                      re.compile(rf"^({alternatives})[:：]?(.*)$", re.DOTALL),
                      re.compile("(" + "|".join(
                          r"[\s\u3000]*".join(map(re.escape, label))
                          for label in sorted(by_label, key=len, reverse=True))
                          + r")[\s\u3000]*[:：]"))


def normalise(text: str) -> str:
    return _SPACES.sub("", text)


def iso_date(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _text(el: etree._Element) -> str:
    return " ".join(_SPACES.sub(" ", "".join(el.itertext())).split())


_INLINE = frozenset(("b", "strong", "em", "font", "i", "span", "label"))


def _next_value(el: etree._Element) -> str:
    """The text after a label: its tail, or the next element's text (a header cell is not a
    value: a list table's header row is a row of labels)."""
    nodes = [el, el.getparent()] if el.tag in _INLINE else [el]
    for node in nodes:
        if node is None:
            break
        tail: str = (node.tail or "").strip(" :：\u3000\xa0\n\t")
        if tail:
            return tail
        sibling = node.getnext()
        while sibling is not None and not isinstance(sibling.tag, str):
            sibling = sibling.getnext()
        if sibling is not None:
            if sibling.tag == "th":
                return ""
            value = _text(sibling)
            if value:
                return value
    return ""


def _clean(column: str, value: str, table: LabelTable) -> str | None:
    value = value.strip(" :：\u3000\xa0")
    if not value or len(value) > MAX_VALUE or normalise(value) in table.by_label:
        return None
    if column in table.dates:
        return iso_date(value)
    return value


def extract(root: etree._Element, table: LabelTable | None = None) -> dict[str, str]:
    """The gov metadata columns found in an HTML tree (only those present)."""
    table = table or label_table()
    found: dict[str, str] = {}
    for el in root.iter(*_CANDIDATE_TAGS):
        own = el.text
        if not own or len(own) > 80:
            continue
        match = table.pattern.match(normalise(own))
        if match is None:
            continue
        column = table.by_label[match.group(1)]
        if column in found:
            continue
        if match.group(2):          # "文号：粤府〔2017〕12号", or a longer word: not a label
            for inline_column, value in _inline_pairs("".join(el.itertext()), table):
                if inline_column not in found and value is not None:
                    found[inline_column] = value
            continue
        value = _clean(column, _next_value(el), table)
        if value is not None:
            found[column] = value
            if len(found) == len(FIELDS):
                break
    return found


def _inline_pairs(text: str, table: LabelTable) -> list[tuple[str, str | None]]:
    """Every "label：value" of one text ("发文机关：某局  发布日期：2017年6月1日")."""
    marks = list(table.inline.finditer(text))
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    pairs = []
    for mark, end in zip(marks, ends[:len(marks)], strict=True):   # no colon: no pairs
        column = table.by_label[normalise(mark.group(1))]
        pairs.append((column, _clean(column, text[mark.end():end].strip(), table)))
    return pairs
