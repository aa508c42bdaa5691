"""Formats units actually send: web-system exports (HTML, SpreadsheetML, CSV saved as .xls), ODS,
WPS .et, written reports; each read into the same tables as the .xlsx of the same form."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from formats_factory import csv_bytes, find, html_bytes, ods_bytes, spreadsheetml_bytes

from jixiao.config.settings import Settings
from jixiao.forms.painter import write_workbook
from jixiao.normalise.ingest import ingest, read_submission
from jixiao.read.workbook import OLE2_MAGIC, UnreadableWorkbook, read_workbook, sniff

from factory import (
    Ind,
    Pct,
    Project,
    SheetSpec,
    dropdown_sheet,
    instruction_sheet,
    one_project,
    paint_sheet,
    with_style,
)

SETTINGS = Settings()
PROJECT = Project(indicators=[
    Ind("产出指标", "数量指标", "养护里程", "≥120公里", 70, 120, possibility="确定能"),
    Ind("产出指标", "质量指标", "路面优良率", Pct(0.85), Pct(0.8), Pct(0.86), possibility="确定能"),
    Ind("效益指标", "社会效益指标", "群众出行条件", "明显改善", "部分改善", "达到预期",
        reasons=("经费保障", "人员保障"), possibility="有可能", reason_text="资金到位较晚"),
    Ind("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", 91, 92, possibility="确定能"),
])
PROJECT_FIELDS = ("project_name", "dept_name", "dept_code", "unit_name", "budget_total", "budget_fiscal",
                  "budget_carryover", "budget_other", "executed_total", "expected_total")
INDICATOR_FIELDS = ("level1", "level2", "name", "target_op", "target_value", "target_unit", "actual_value",
                    "expected_value", "reasons", "possibility")


def sheets(project: Project = PROJECT, style=None, extra=()):
    return [paint_sheet(spec) for spec in (*extra, SheetSpec("监控表", [project], style or with_style()))]


def content(path: Path) -> tuple:
    """What the scorer compares: status, project fields and indicator fields."""
    result = read_submission(path, path.parent, SETTINGS)
    projects = [(tuple(p.fields.get(f) for f in PROJECT_FIELDS),
                 [tuple(i.get(f) for f in INDICATOR_FIELDS) for i in p.indicators]) for p in result.projects]
    return result.status, projects


@pytest.fixture
def baseline(tmp_path):
    path = write_workbook(tmp_path / "base.xlsx", sheets(extra=[instruction_sheet(), dropdown_sheet()]))
    status, projects = content(path)
    assert status == "ok" and projects[0][1][1][4:6] == (85.0, "%")
    return status, projects


def test_html_table_saved_as_xls_reads_like_the_workbook(tmp_path, baseline):
    path = tmp_path / "一体化导出.xls"
    path.write_bytes(html_bytes(sheets()))
    assert sniff(path) == "xls-html"
    assert content(path) == baseline


@pytest.mark.parametrize("encoding, declare", [("gbk", None), ("gb18030", "gb2312"), ("gbk", "utf-8"),
                                               ("utf-8", None)])
def test_html_in_the_encodings_units_use_declared_or_not(tmp_path, baseline, encoding, declare):
    path = tmp_path / "export.xls"
    path.write_bytes(html_bytes(sheets(), encoding=encoding, declare=declare))
    assert content(path) == baseline


def test_html_title_outside_the_table_and_form_split_into_tables(tmp_path, baseline):
    canvas = sheets()[0]
    funds_row, _ = find(canvas, "年初预算数")
    indicator_row, _ = find(canvas, "三级指标")
    path = tmp_path / "split.xls"
    path.write_bytes(html_bytes([canvas], title_rows_outside=3, split_at=(funds_row, indicator_row)))
    grids = read_workbook(path)
    assert len(grids) == 1 and grids[0].value(1, 1) == "项目支出绩效目标执行监控表"
    assert content(path) == baseline


def test_html_several_projects_in_several_tables_become_sheets(tmp_path):
    two = [paint_sheet(SheetSpec("a", [PROJECT])), paint_sheet(SheetSpec("b", [Project(name="桥梁维修项目")]))]
    path = tmp_path / "two.xls"
    path.write_bytes(html_bytes(two))
    assert len(read_workbook(path)) == 2
    result = read_submission(path, tmp_path, SETTINGS)
    assert [p.fields["project_name"] for p in result.projects] == ["农村公路养护项目", "桥梁维修项目"]


def test_spreadsheetml_with_merges_index_gaps_and_a_hidden_sheet(tmp_path, baseline):
    path = tmp_path / "export.xls"
    hidden = paint_sheet(dropdown_sheet())
    path.write_bytes(spreadsheetml_bytes([hidden, *sheets()]))
    assert sniff(path) == "xls-xml"
    grids = read_workbook(path)
    assert grids[0].hidden and not grids[1].hidden and grids[1].merged
    assert content(path) == baseline


def test_spreadsheetml_parser_resolves_no_entities(tmp_path):
    path = tmp_path / "evil.xls"
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
                    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>'
                    '<Row><Cell><Data ss:Type="String">&e;</Data></Cell></Row></Table></Worksheet></Workbook>',
                    encoding="utf-8")
    grids = read_workbook(path)
    assert "机密" not in str(grids[0].value(1, 1))


@pytest.mark.parametrize("encoding, delimiter, name", [("gbk", ",", "export.xls"), ("utf-16", "\t", "export.xls"),
                                                       ("utf-8-sig", ",", "export.csv")])
def test_csv_in_disguise(tmp_path, baseline, encoding, delimiter, name):
    path = tmp_path / name
    path.write_bytes(csv_bytes(sheets()[0], encoding=encoding, delimiter=delimiter))
    assert sniff(path) == "csv"
    status, projects = content(path)
    # CSV keeps no merges: same fields, and the % target is text '85%' read as 85 %
    assert (status, projects) == baseline


def test_ods_with_merges_percentages_and_hidden_sheet(tmp_path, baseline):
    path = tmp_path / "libre.ods"
    path.write_bytes(ods_bytes([paint_sheet(dropdown_sheet()), *sheets()]))
    assert sniff(path) == "ods"
    grids = read_workbook(path)
    assert grids[0].hidden and grids[1].merged
    assert content(path) == baseline


def test_wps_et_and_xlsm_are_named_by_their_format(tmp_path, baseline):
    et = tmp_path / "wps.et"
    et.write_bytes(write_workbook(tmp_path / "x.xls", sheets()).read_bytes())
    assert sniff(et) == "et"
    assert content(et)[1][0][0] == baseline[1][0][0]
    raw = tmp_path / "raw"
    raw.mkdir()
    et.rename(raw / "wps.et")
    (raw / "page.xls").write_bytes(html_bytes(sheets()))
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    types = dict(zip(tables["submissions"]["source_file"], tables["submissions"]["file_type"]))
    assert types == {"wps.et": "et", "page.xls": "xls-html"}
    notes = tables["findings"].query("code == 'EXTENSION_MISMATCH'")["source_file"].tolist()
    assert notes == ["page.xls"]


def _docx(path: Path, title: str) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph("一、项目基本情况……")
    document.save(path)
    return path


def test_written_report_fails_as_a_table_but_is_recorded_as_a_document(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    one_project(raw / "交通局监控表.xlsx")
    _docx(raw / "附件1：湟源县交通运输局绩效监控报告.docx", "湟源县交通运输局2023年1-7月绩效运行监控情况报告")
    _docx(raw / "报告.xls", "湟源县民政局关于项目支出绩效运行监控情况的报告")  # renamed, department in the text
    (raw / "扫描件.pdf").write_bytes(b"%PDF-1.4\n%scan")
    tables = ingest(raw, tmp_path / "out", SETTINGS)
    subs = tables["submissions"].set_index("source_file")
    assert subs.loc["报告.xls", "status"] == "failed" and subs.loc["报告.xls", "file_type"] == "docx"
    assert "湟源县民政局" in subs.loc["报告.xls", "reason"]
    documents = tables["documents"].set_index("source_file")
    assert documents.loc["附件1：湟源县交通运输局绩效监控报告.docx", "dept_name"] == "湟源县交通运输局"
    assert documents.loc["附件1：湟源县交通运输局绩效监控报告.docx", "kind"] == "绩效监控报告"
    assert documents.loc["报告.xls", "dept_name"] == "湟源县民政局"
    assert documents.loc["报告.xls", "dept_from"] == "文件内容"
    assert documents.loc["扫描件.pdf", "file_type"] == "pdf" and documents["dept_name"].isna()["扫描件.pdf"]
    assert (tmp_path / "out" / "documents.parquet").exists()


def test_other_file_kinds_fail_with_a_reason_naming_them(tmp_path):
    path = tmp_path / "x.xls"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(UnreadableWorkbook) as caught:
        sniff(path)
    assert caught.value.kind == "zip" and "压缩包" in caught.value.reason
    path.write_bytes(OLE2_MAGIC + b"\0" * 120 + "WordDocument".encode("utf-16-le") + b"\0\0" + b"\0" * 64)
    with pytest.raises(UnreadableWorkbook) as caught:
        sniff(path)
    assert caught.value.kind == "doc" and "Word" in caught.value.reason
    path.write_bytes(b"{\\rtf1\\ansi hello}")
    with pytest.raises(UnreadableWorkbook) as caught:
        sniff(path)
    assert caught.value.kind == "rtf" and "RTF" in caught.value.reason


def test_html_title_and_money_unit_in_nested_blocks_above_the_table(tmp_path):
    yuan = Project(funds=[("年度资金总额", 1000000.0, 400000.0, 950000.0), ("其中：当年财政拨款", 800000.0, 300000.0, 760000.0),
                          ("上年结转资金", 200000.0, 100000.0, 190000.0), ("其他资金", 0, 0, 0)])
    page = html_bytes(sheets(yuan, with_style(money_unit="元")), title_rows_outside=3).decode("utf-8")
    page = page.replace("<p>", "<div><div><span>").replace("</p>", "</span></div></div>")
    page = page.replace("<td></td>", "<td>&nbsp;</td>").replace("<td>三级指标</td>", "<th>三级<br>指标</th>")
    page = page.replace("<table", '<div class="grid"><table').replace("</table>", "</table></div>")
    path = tmp_path / "nested.xls"
    path.write_bytes(page.encode("gb18030"))
    grid = read_workbook(path)[0]
    assert [grid.value(r, 1) for r in (1, 2)] == ["项目支出绩效目标执行监控表", "（2023年1-7月）"]
    assert "单位：元" in grid.value(3, 1)
    result = read_submission(path, tmp_path, SETTINGS)
    assert result.projects[0].fields["budget_total"] == 100.0
    assert len(result.projects[0].indicators) == len(yuan.indicators)


def test_ragged_semicolon_csv_in_gb18030(tmp_path, baseline):
    text = csv_bytes(sheets()[0], encoding="utf-8", delimiter=";").decode("utf-8")
    path = tmp_path / "ragged.xls"
    path.write_bytes("\r\n".join(line.rstrip(";") for line in text.split("\r\n")).encode("gb18030"))
    assert content(path) == baseline


@pytest.mark.parametrize("make, words", [
    (lambda: "<table>" + '<tr><td rowspan="99999" colspan="99999">x</td></tr>' * 400 + "</table>", "合并"),
    (lambda: "\n".join(",".join(["1"] * 50) for _ in range(200)), "过大"),
])
def test_hostile_text_formats_fail_fast_with_a_reason(tmp_path, monkeypatch, make, words):
    import time

    from jixiao.read import limits

    monkeypatch.setattr(limits, "MAX_CELLS", 1000)  # the mechanism, without reading 100 000 cells on a busy machine
    path = tmp_path / "big.xls"
    path.write_text(make(), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path)
    assert words in caught.value.reason and time.perf_counter() - started < 2.0


def test_spreadsheetml_declaring_the_wrong_encoding(tmp_path, baseline):
    xml = spreadsheetml_bytes(sheets()).decode("utf-8")
    assert 'encoding="UTF-8"' in xml
    path = tmp_path / "wrong.xls"
    path.write_bytes(xml.encode("gbk"))  # says UTF-8, is GBK
    assert content(path) == baseline


def test_html_form_wrapped_in_a_layout_table(tmp_path, baseline):
    page = html_bytes(sheets(), title_rows_outside=2).decode("utf-8")
    body = page.split("<body>", 1)[1].split("</body>", 1)[0]
    title, form = body.split("<table", 1)
    page = (f"<html><body><table width=100%><tr><td>{title.replace('<p>', '').replace('</p>', '<br>')}</td></tr>"
            f"<tr><td><table{form}</td></tr></table></body></html>")
    path = tmp_path / "layout.xls"
    path.write_bytes(page.encode("utf-8"))
    grid = read_workbook(path)[0]
    assert grid.value(1, 1) == "项目支出绩效目标执行监控表"
    assert content(path) == baseline


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_that_repeat_merged_values_in_every_cell(tmp_path, baseline, fmt):
    from formats_factory import unmerged_filled

    canvas = unmerged_filled(sheets()[0])
    path = tmp_path / f"filled.{fmt}"
    if fmt == "xlsx":
        write_workbook(path, [canvas])
    else:
        path.write_bytes(csv_bytes(canvas))
    assert content(path) == baseline


@pytest.mark.parametrize("text, dept", [
    ("附件1：湟源县教育局2023年1-7月绩效监控报告", "湟源县教育局"),
    ("湟源县人力资源和社会保障局关于项目支出绩效监控的报告", "湟源县人力资源和社会保障局"),
    ("湟源县科学技术协会 2023 年 1-7 月绩效运行监控情况报告", "湟源县科学技术协会"),
    ("县妇联绩效监控报告", "县妇联"),
    ("监控报告", None),
])
def test_department_told_from_a_document_name_or_title(text, dept):
    from jixiao.normalise.documents import department_in

    assert department_in(text) == dept


def test_single_file_web_page_mht_saved_as_xls(tmp_path, baseline):
    import email.charset
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    charset = email.charset.Charset("utf-8")
    charset.body_encoding = email.charset.QP  # Excel writes quoted-printable parts
    message = MIMEMultipart("related")
    for page in ('<html><frameset><frame src="sheet001.htm"></frameset></html>',
                 html_bytes(sheets()).decode("utf-8")):
        part = MIMEText("", "html")
        part.set_payload(page, charset)
        message.attach(part)
    path = tmp_path / "web.xls"
    path.write_bytes(message.as_bytes())
    assert sniff(path) == "xls-mht"
    assert content(path) == baseline
