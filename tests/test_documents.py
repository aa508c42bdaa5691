"""The document model and its renderers without a kernel or a browser: HTML escaping and metadata,
the Word template (docxtpl fields, fonts, page numbers), the bureau's own templates, the
《部门项目支出绩效运行监控情况表》 workbook and the [document] settings."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jixiao.config.settings import settings_from_mapping
from jixiao.outputs import brief
from jixiao.outputs.document import (
    DOCX_TEMPLATE,
    TEMPLATES_DIR,
    Attachment,
    Bullets,
    Column,
    Document,
    Heading,
    Paragraph,
    Section,
    Table,
    build_docx_template,
    render_html,
    write_docx,
)

ROOT = Path(__file__).resolve().parents[1]
INJECTION = '<script>alert(1)</script>'


def _document(**overrides) -> Document:
    table = Table("表1 测试", [Column("项目"), Column("预算（万元）", "num"), Column("指标", "light")],
                  [[INJECTION, "1,234.56", "红灯"], ["≥3200平方米的道路", "933.33", "绿灯"]],
                  notes=["道路—长度：完成 16.0%"], total=["合计", "2,167.89", ""])
    fields = {"kind": "brief", "title": "湟源县财政局关于测试局的反馈意见", "recipient": "测试局",
              "issuer": "湟源县财政局", "date": "2023年9月15日", "doc_number": "源财绩〔2023〕 1 号",
              "sections": [Section([Heading("一、绩效运行监控工作组织实施情况"), Paragraph(INJECTION, lead="（一）"),
                                    Bullets(["甲", "乙"]), table])],
              "attachments": [Attachment("测试附件", [Paragraph("附件正文")])],
              "provenance": ["规则配置：默认（内容哈希 0123456789abcdef）"],
              "meta": {"jixiao:profile-hash": "0123456789abcdef"}}
    fields.update(overrides)
    return Document(**fields)


def test_html_escapes_text_keeps_numbers_whole_and_carries_metadata():
    page = render_html(_document())
    assert "<script>" not in page and page.count("&lt;script&gt;alert(") == 2
    assert '<span class="nb">≥3200</span>' in page and '<td class="num">933.33</td>' in page
    assert '<meta name="jixiao:profile-hash" content="0123456789abcdef">' in page
    assert '<meta name="author" content="湟源县财政局">' in page
    body = page.split("<body>")[1]
    stamp_at = body.index("附：数据来源说明")
    assert "0123456789abcdef" not in body[:stamp_at]  # the stamp only on its last page
    assert body.index("附件：1. 测试附件") < body.index("湟源县财政局</p>") < body.index("附件1")


def test_docx_template_has_fields_fonts_and_page_numbers(tmp_path):
    import docx
    from docx.oxml.ns import qn

    path = build_docx_template(tmp_path / DOCX_TEMPLATE)
    shipped = docx.Document(str(TEMPLATES_DIR / DOCX_TEMPLATE))
    built = docx.Document(str(path))
    for doc in (shipped, built):
        text = "\n".join(p.text for p in doc.paragraphs)
        for field in ("{{ title }}", "{{ recipient }}：", "{{p body }}", "{{ issuer }}", "{{ date }}", "{{p annexes }}",
                      "{{p provenance }}", "{{ doc_number }}"):
            assert field in text, field
        rfonts = doc.styles["Normal"].element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
        section = doc.sections[0]
        assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
        assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml


def test_docx_renders_the_model_and_a_bureau_template_replaces_the_shipped_one(tmp_path):
    import docx

    out = write_docx(_document(), tmp_path / "a.docx")
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert "源财绩〔2023〕 1 号" in texts and "测试局：" in texts and "2023年9月15日" in texts
    assert f"（一）{INJECTION}" in texts  # literal text, the XML escaped by docxtpl
    table = doc.tables[0]
    assert [c.text for c in table.rows[1].cells] == [INJECTION, "1,234.56", "红灯"]
    assert [c.text for c in table.rows[-1].cells][:2] == ["合计", "2,167.89"]
    assert doc.core_properties.title == "湟源县财政局关于测试局的反馈意见"
    assert "0123456789abcdef" in doc.core_properties.comments
    # The bureau's own template: the same fields, its own wording around them.
    own = tmp_path / "templates"
    build_docx_template(own / DOCX_TEMPLATE)
    custom = docx.Document(str(own / DOCX_TEMPLATE))
    custom.paragraphs[0].text = "机密★1年 {{ doc_number }}"
    custom.save(str(own / DOCX_TEMPLATE))
    doc = docx.Document(str(write_docx(_document(), tmp_path / "b.docx", own)))
    assert doc.paragraphs[0].text == "机密★1年 源财绩〔2023〕 1 号"


def test_document_settings_are_read_from_jixiao_toml(tmp_path):
    settings = settings_from_mapping({"document": {"issuer": "某县财政局", "issue_date": "2024年1月2日",
                                                   "doc_number": "某财〔2024〕 号"},
                                      "paths": {"templates": "模板"}}, base=tmp_path)
    assert settings.issuer == "某县财政局" and settings.issue_date == "2024年1月2日"
    assert settings.paths.templates == tmp_path / "模板"
    with pytest.raises(ValueError, match="无法识别"):
        settings_from_mapping({"document": {"issuer_name": "x"}})


@pytest.fixture(scope="module")
def data(demo_county):
    return brief.load_brief_data(demo_county)


def test_situation_form_is_a_printable_sealed_form(data, tmp_path):
    from jixiao.outputs.situation_form import FORM_TITLE, write_forms

    department = "湟源县教育局"
    ind = data.tables["indicator_status"]
    warned = ind[(ind["dept_name"] == department) & ind["light"].isin(["red", "yellow"])].index[0]
    original = ind.loc[warned, "reason_text"]
    ind.loc[warned, "reason_text"] = "=HYPERLINK(\"http://x\")"
    try:
        path = write_forms(data, [department], tmp_path, ["教育局"])[0]
    finally:
        ind.loc[warned, "reason_text"] = original
    assert path.name == f"教育局_{FORM_TITLE}.xlsx"
    sheet = load_workbook(path).active
    assert FORM_TITLE in sheet["A1"].value and department in sheet["A2"].value
    ps = data.tables["project_status"]
    own = ps[ps["dept_name"] == department]
    rows = list(sheet.iter_rows(min_row=4, max_row=3 + len(own), values_only=True))
    assert len(rows) == len(own) and all(isinstance(r[3], float) for r in rows)
    total = sheet.cell(row=4 + len(own), column=1)
    assert total.value == "合计"
    assert sheet.cell(row=4 + len(own), column=4).value == pytest.approx(own["budget_total"].sum())
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("填报单位") for t in texts) and "审核人：" in texts
    assert any(t.startswith("=HYPERLINK") for t in texts)  # kept as text …
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # … never a live formula
    assert not any(re.search(r"进度比|累计型", t) for t in texts)
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$3"


def test_print_ready_charts_read_left_to_right(data):
    from jixiao.outputs import plots

    summary = data.tables["department_summary"]
    fig = brief.print_ready(plots.execution_by_department(summary))
    bars = [t for t in fig.data if t.type == "bar"]
    assert bars and all(t.orientation == "h" for t in bars)
    assert set(bars[0].y) == set(summary["dept_name"])  # department names on the (horizontal) axis labels
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.yaxis.tickangle == 0 and not fig.layout.title.text
    assert bars[0].texttemplate == "%{x:.1f}%"  # every bar carries its value


def _progress_marks(fig):
    return [t for t in fig.data if t.type == "scatter" and any(v is not None for v in t.x)]


def _legend_squares(fig):
    return [t for t in fig.data if t.type == "scatter" and all(v is None for v in t.x)]


def test_print_ready_time_progress_one_line_or_one_mark_per_department(data):
    from jixiao.outputs import plots

    summary = data.tables["department_summary"]
    one_period = brief.print_ready(plots.execution_by_department(summary.assign(time_progress=58.33)))
    assert not _progress_marks(one_period) and one_period.layout.shapes  # one 序时进度 line …
    assert one_period.layout.annotations[0].text == "序时进度 58.33%"
    assert one_period.layout.legend.yref == "container"  # … its label on top, the legend in a row above it
    differing = summary.assign(time_progress=[58.33 + (i == 0) * 8.33 for i in range(len(summary))])
    fig = brief.print_ready(plots.execution_by_department(differing))
    [marks] = _progress_marks(fig)  # one mark per department, in the 序时进度 colour (not a light's)
    assert marks.mode == "markers" and marks.marker.color == plots.TIME_PROGRESS_COLOR
    # the legend's colour squares stay squares of their light's colour
    squares = _legend_squares(fig)
    assert squares and all(t.marker.symbol == "square" for t in squares)
    assert {t.marker.color for t in squares} <= set(plots.LIGHT_COLORS.values())
