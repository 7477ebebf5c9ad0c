"""indexer.govmeta: the gov open-information fields (政府信息公开) of real page layouts."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from indexer.govmeta import extract, iso_date, label_table

TABLE = """<html><body><table class="xxgk">
<tr><td>索 引 号：</td><td>006939748/2017-00123</td>
    <td><b>发布机构</b></td><td>广东省人民政府办公厅</td></tr>
<tr><td>成文日期</td><td>2017年5月28日</td><td>发布日期：</td><td>2017-06-01</td></tr>
<tr><td>文　　号</td><td>粤府〔2017〕12号</td><td>主题分类</td><td>国民经济管理</td></tr>
</table><p>正文……</p></body></html>"""


def fields(html: str) -> dict[str, str]:
    return extract(lxml.html.document_fromstring(html))


def test_a_label_value_table_fills_every_column() -> None:
    assert fields(TABLE) == {
        "index_no": "006939748/2017-00123", "agency": "广东省人民政府办公厅",
        "written_date": "2017-05-28", "published_date": "2017-06-01",
        "doc_no": "粤府〔2017〕12号", "subject": "国民经济管理"}


def test_a_gbk_page_gives_the_same_fields_once_decoded() -> None:
    root = lxml.html.document_fromstring(
        TABLE.replace("<html>", '<html><head><meta charset="gbk"></head>').encode("gbk"))
    assert extract(root)["agency"] == "广东省人民政府办公厅"
    assert extract(root)["doc_no"] == "粤府〔2017〕12号"


def test_several_label_colon_value_pairs_in_one_line() -> None:
    line = "<p>发文机关：某市统计局  发布日期：2018年3月9日 文号：穗统字〔2018〕3号</p>"
    assert fields(line) == {
        "agency": "某市统计局", "published_date": "2018-03-09", "doc_no": "穗统字〔2018〕3号"}


def test_a_label_inside_a_span_takes_the_text_after_its_parent() -> None:
    assert fields("<ul><li><span>发布机构</span>: 深圳市人民政府</li></ul>") == {
        "agency": "深圳市人民政府"}


def test_a_header_row_of_labels_is_not_a_value() -> None:
    assert fields("<table><tr><th>索引号</th><th>文号</th><th>发布日期</th></tr>"
                  "<tr><td>1</td><td>2</td><td>2020-01-01</td></tr></table>") == {}


@pytest.mark.parametrize("html", [
    "<ul><li>分类导航</li><li>文号管理办法的通知</li></ul>",     # a label starting a longer word
    "<ul><li>发布日期 2019-01-02</li></ul>",                    # no colon: not a pair
])
def test_words_beginning_with_a_label_are_not_labels(html: str) -> None:
    assert fields(html) == {}


def test_values_that_are_not_values_are_dropped() -> None:
    too_long = "x" * 201
    assert fields(f"<div>文号</div><div>{too_long}</div><div>分类</div><div>索引号</div>") == {}
    assert fields("<p>发布日期：2019/13/40</p><p>成文日期：不详</p>") == {}


@pytest.mark.parametrize(("text", "iso"), [
    ("2017年6月1日", "2017-06-01"), ("2017.6.1", "2017-06-01"), ("2017/06/01 10:00", "2017-06-01"),
    ("发布于 2017 - 6 - 1", "2017-06-01"), ("2017-13-01", None), ("无", None),
])
def test_dates_in_chinese_and_numeric_forms_become_iso(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


def test_labels_are_data_and_a_column_must_exist(tmp_path: Path) -> None:
    labels = tmp_path / "labels.yaml"
    labels.write_text("doc_no:\n  labels: [发文编号]\n", encoding="utf-8")
    assert extract(lxml.html.document_fromstring("<p>发文编号：京政发〔2020〕1号</p>"),
                   label_table(labels)) == {"doc_no": "京政发〔2020〕1号"}
    labels.write_text("budget:\n  labels: [预算]\n", encoding="utf-8")
    label_table.cache_clear()
    with pytest.raises(ValueError, match=r"labels\.yaml: budget: not a gov metadata column"):
        label_table(labels)
