#!/usr/bin/env bash
# Page images of the bureau's documents for docs/briefs.md (run after `jixiao run` or `jixiao briefs`):
#   bash scripts/preview_documents.sh [reports/2023-07/briefs] [湟源县教育局]
# Writes docs/images/brief-page1.png, brief-annex.png (the PDF of one department's feedback opinion),
# report-page1.png, report-charts.png (the county report) and the same from Word's layout through
# LibreOffice (docx-page1.png) so a newcomer sees what the bureau gets.
set -euo pipefail
cd "$(dirname "$0")/.."
BRIEFS="${1:-reports/2023-07/briefs}"
DEPT="${2:-湟源县教育局}"
OUT=docs/images
DPI=60
mkdir -p "$OUT"
page() {  # page PDF NUMBER NAME
  pdftoppm -r "$DPI" -png -singlefile -f "$2" -l "$2" "$1" "$OUT/$3"
}
first_page_with() {  # first_page_with PDF TEXT [LINES]: the first page whose first LINES lines hold TEXT
  local pages; pages=$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')
  for ((i = 1; i <= pages; i++)); do
    if pdftotext -f "$i" -l "$i" "$1" - | grep -v "^\s*$" | head -n "${3:-1000}" | tr -d ' \n' | grep -q "$2"; then
      echo "$i"; return
    fi
  done
  echo 1
}
page "$BRIEFS/$DEPT.pdf" 1 brief-page1
page "$BRIEFS/$DEPT.pdf" "$(first_page_with "$BRIEFS/$DEPT.pdf" 附件1 2)" brief-annex
page "$BRIEFS/全县监控情况报告.pdf" 1 report-page1
page "$BRIEFS/全县监控情况报告.pdf" "$(first_page_with "$BRIEFS/全县监控情况报告.pdf" 图1各部门)" report-charts
TMP=$(mktemp -d)
.venv/bin/python -c "import sys; from jixiao.outputs.document import docx_to_pdf; docx_to_pdf(sys.argv[1], sys.argv[2])" \
  "$BRIEFS/$DEPT.docx" "$TMP"
page "$TMP/$DEPT.pdf" 1 docx-page1
rm -rf "$TMP"
ls -la "$OUT"
