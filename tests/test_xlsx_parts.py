"""The parts of an .xlsx read straight from the package (number formats, formulas, hidden lines), checked
against openpyxl's own full load of the same real files."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from hostile import SHEET, rewrite

from jixiao.read import xlsx_parts
from jixiao.read.grid import DEFAULT_LIMITS, LimitExceeded, ReadLimits, UnreadableWorkbook
from jixiao.read.workbook import read_workbook

from factory import Pct, Project, SheetSpec, build, dropdown_sheet, instruction_sheet, one_project


def scan(path, limits: ReadLimits = DEFAULT_LIMITS) -> dict[str, xlsx_parts.SheetScan]:
    with zipfile.ZipFile(path) as archive:
        return xlsx_parts.read_parts(archive, limits)


def openpyxl_view(path) -> dict[str, dict[tuple[int, int], tuple[str, str | None]]]:
    """(number format, formula) of every non-empty cell, as openpyxl's full load reads them."""
    book = openpyxl.load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        out[sheet.title] = {
            (cell.row, cell.column): (cell.number_format, cell.value if cell.data_type == "f" else None)
            for row in sheet.iter_rows() for cell in row if cell.value is not None}
    return out


@pytest.fixture(params=["whole", "streamed"])
def part_reading(request, monkeypatch):
    """Every scan test runs on both ways of reading a sheet part: parsed whole (small parts) and streamed."""
    if request.param == "streamed":
        monkeypatch.setattr(xlsx_parts, "WHOLE_PART_BYTES", 0)
    return request.param


def test_formats_and_formulas_match_openpyxl_on_a_painted_form(tmp_path, part_reading):
    rows = [["文本", 12.5, Pct(0.955, "0.0%"), Pct(3, '0"台"'), Pct(0.5, "0.00%")], ["=B1*2", "=SUM(B1:B2)"]]
    path = build(tmp_path / "a.xlsx", [SheetSpec("杂项", rows=rows), SheetSpec("监控表", [Project()]),
                                       instruction_sheet(), dropdown_sheet()])
    parts = scan(path)
    expected = openpyxl_view(path)
    assert list(parts) == list(expected)
    for name, cells in expected.items():
        assert parts[name].styles == cells, name
        assert parts[name].extent == (max(r for r, _ in cells), max(c for _, c in cells))
    assert parts["杂项"].styles[(1, 3)] == ("0.0%", None) and parts["杂项"].styles[(2, 2)] == ("General", "=SUM(B1:B2)")


def test_shared_formulas_are_translated_to_each_cell(tmp_path, part_reading):
    book = openpyxl.Workbook()
    for r in (1, 2, 3):
        book.active.cell(r, 1, r)
        book.active.cell(r, 2, r * 10)
    book.save(tmp_path / "plain.xlsx")
    shared = ('<c r="C1"><f t="shared" ref="C1:C3" si="0">A1+B1</f><v>11</v></c>',
              '<c r="C2"><f t="shared" si="0"/><v>22</v></c>', '<c r="C3"><f t="shared" si="0"/><v>33</v></c>')

    def add_column(xml: bytes) -> bytes:
        for r, cell in enumerate(shared, start=1):
            xml = re.sub(rf'(<row r="{r}"[^>]*>.*?)</row>'.encode(), lambda m, cell=cell: m.group(1) + cell.encode() + b"</row>",
                         xml, count=1, flags=re.S)
        return xml

    path = tmp_path / "shared.xlsx"
    path.write_bytes(rewrite((tmp_path / "plain.xlsx").read_bytes(), {SHEET: add_column}))
    styles = scan(path)["Sheet"].styles
    assert [styles[(r, 3)][1] for r in (1, 2, 3)] == ["=A1+B1", "=A2+B2", "=A3+B3"]
    assert [styles[(r, 3)][1] for r in (1, 2, 3)] == [openpyxl_view(path)["Sheet"][(r, 3)][1] for r in (1, 2, 3)]
    assert read_workbook(path)[0].value(3, 3) == 33


def test_a_custom_format_wins_over_the_built_in_of_its_id_and_an_unknown_id_is_general(tmp_path, part_reading):
    path = build(tmp_path / "a.xlsx", [SheetSpec("表", rows=[[Pct(0.5, "0.00%"), Pct(2, '0"台"')]])])

    def restyle(xml: bytes) -> bytes:  # numFmtId 10 ('0.00%') redefined as '0"万元"'; the custom id made dangling
        xml = re.sub(rb'<numFmts count="\d+">', b'<numFmts count="1"><numFmt numFmtId="10" formatCode="0&quot;\xe4\xb8\x87\xe5\x85\x83&quot;"/>', xml)
        return re.sub(rb'<numFmt numFmtId="(1[6-9]\d)" formatCode="[^"]*"\s*/>', b"", xml)

    changed = tmp_path / "b.xlsx"
    changed.write_bytes(rewrite(path.read_bytes(), {"xl/styles.xml": restyle}))
    styles = scan(changed)["表"].styles
    assert styles[(1, 1)][0] == '0"万元"' == openpyxl_view(changed)["表"][(1, 1)][0]
    assert styles[(1, 2)][0] == "General"


def test_hidden_rows_and_columns_and_cells_without_references(tmp_path, part_reading):
    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, 6):
        sheet.cell(r, 1, f"行{r}")
        sheet.cell(r, 3, r)
    sheet.row_dimensions[2].hidden = True
    sheet.column_dimensions["B"].hidden = True
    book.save(tmp_path / "a.xlsx")
    parts = scan(tmp_path / "a.xlsx")["Sheet"]
    assert (parts.hidden_rows, parts.hidden_cols) == ({2}, {2})

    def drop_references(xml: bytes) -> bytes:  # rows and cells without r: positions follow from order
        return re.sub(rb'<row r="4"([^>]*)>(.*?)</row>',
                      lambda m: b"<row" + m.group(1) + b">" + re.sub(rb' r="[A-Z]+4"', b"", m.group(2)) + b"</row>",
                      xml, count=1, flags=re.S)

    bare = tmp_path / "b.xlsx"
    bare.write_bytes(rewrite((tmp_path / "a.xlsx").read_bytes(), {SHEET: drop_references}))
    assert not re.search(rb'<row r="4"|r="[A-Z]+4"', zipfile.ZipFile(bare).read(SHEET))
    styles = scan(bare)["Sheet"].styles
    assert (4, 1) in styles and (4, 2) in styles and (4, 3) not in styles  # the row's cells, one after another


def test_absolute_targets_and_chart_sheets(tmp_path, part_reading):
    path = one_project(tmp_path / "a.xlsx")

    def absolute(xml: bytes) -> bytes:
        return re.sub(rb'Target="/?(?:xl/)?worksheets/', b'Target="/xl/worksheets/', xml)

    changed = tmp_path / "b.xlsx"
    changed.write_bytes(rewrite(path.read_bytes(), {"xl/_rels/workbook.xml.rels": absolute}))
    assert b'Target="/xl/worksheets/' in zipfile.ZipFile(changed).read("xl/_rels/workbook.xml.rels")
    assert scan(changed)["监控表"].styles == scan(path)["监控表"].styles != {}

    def chart(xml: bytes) -> bytes:
        return xml.replace(b"relationships/worksheet\"", b"relationships/chartsheet\"")

    charted = tmp_path / "c.xlsx"
    charted.write_bytes(rewrite(path.read_bytes(), {"xl/_rels/workbook.xml.rels": chart}))
    assert scan(charted) == {}


def test_too_many_filled_cells_and_references_outside_the_grid_stop_the_scan(tmp_path, part_reading):
    path = one_project(tmp_path / "a.xlsx")
    with pytest.raises(LimitExceeded) as caught:
        scan(path, ReadLimits(max_cells=50))
    assert "监控表" in caught.value.reason and "50" in caught.value.reason
    for reference in ("XFE1", "A1048577", "A0", "1A"):
        far = tmp_path / f"far_{reference}.xlsx"
        far.write_bytes(rewrite(path.read_bytes(), {SHEET: lambda xml, ref=reference: xml.replace(b'r="A1"', f'r="{ref}"'.encode(), 1)}))
        with pytest.raises(ValueError):
            scan(far)
        with pytest.raises(UnreadableWorkbook) as damaged:
            read_workbook(far)
        assert "损坏" in damaged.value.reason


def test_rows_already_read_are_dropped_while_streaming(tmp_path, monkeypatch):
    """Memory follows one row: when a row has been read, no earlier row is left in the parser's tree (the
    rows after it are those the parser has read ahead, a chunk of the part)."""
    book = openpyxl.Workbook()
    for r in range(1, 3001):
        book.active.cell(r, 1, r)
    book.save(tmp_path / "long.xlsx")
    monkeypatch.setattr(xlsx_parts, "WHOLE_PART_BYTES", 0)  # a part this size would be parsed whole
    kept = []
    original = xlsx_parts._drop_seen_rows  # noqa: SLF001 - observe the rows left before each one dropped

    def observe(row):
        original(row)
        kept.append(row.getparent().index(row))

    monkeypatch.setattr(xlsx_parts, "_drop_seen_rows", observe)
    parts = scan(tmp_path / "long.xlsx")["Sheet"]
    assert parts.extent == (3000, 1) and len(kept) == 3000 and set(kept) == {0}
