"""The words every stage shares, defined once: codes as stored in the tables, Chinese labels as shown."""
from __future__ import annotations

# Status of one submitted file (submissions.status).
STATUSES = ("ok", "partial", "failed", "skipped")
STATUS_LABELS = {"ok": "完整读取", "partial": "部分读取", "failed": "无法读取", "skipped": "未读取"}

# Severity of a finding (findings.severity), most serious first.
SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "必须改正", "warning": "请核实", "info": "已自动处理"}

# Traffic lights in the order outputs list them; blue = over-achieved (the target may be too low).
LIGHTS = ("red", "yellow", "green", "blue", "unknown")
LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯", "unknown": "无法判断"}

# Where the money of a project comes from (funds.source).
FUND_SOURCES = ("total", "fiscal", "carryover", "other")
FUND_SOURCE_LABELS = {"total": "年度资金总额", "fiscal": "当年财政拨款", "carryover": "上年结转", "other": "其他资金"}

# The file `jixiao demo` leaves beside the demo county: the list of files it wrote (never a submission).
DEMO_MARKER = ".jixiao-demo"
