"""Pydantic validation errors in Chinese, each naming the key a person must fix."""
from __future__ import annotations

from pydantic import ValidationError

# pydantic error type -> Chinese wording; {key} is the dotted setting name, ctx values fill the rest.
MESSAGES = {
    "missing": "缺少设置项：{key}",
    "extra_forbidden": "无法识别的设置项：{key}",
    "unexpected_keyword_argument": "无法识别的设置项：{key}",
    "float_parsing": "{key} 必须是数字",
    "float_type": "{key} 必须是数字",
    "int_parsing": "{key} 必须是整数",
    "int_type": "{key} 必须是整数",
    "int_from_float": "{key} 必须是整数",
    "bool_parsing": "{key} 必须是 true 或 false",
    "bool_type": "{key} 必须是 true 或 false",
    "string_type": "{key} 必须是文字",
    "tuple_type": "{key} 必须是文字列表",
    "list_type": "{key} 必须是文字列表",
    "literal_error": "{key} 只能是 {expected}",
    "greater_than_equal": "{key} 不能小于 {ge}",
    "greater_than": "{key} 必须大于 {gt}",
    "less_than_equal": "{key} 不能大于 {le}",
    "less_than": "{key} 必须小于 {lt}",
    "dataclass_type": "[{key}] 必须是一个表",
    "dict_type": "[{key}] 必须是一个表",
    "path_type": "{key} 必须是文件路径",
}


def chinese_errors(exc: ValidationError) -> list[str]:
    """One Chinese sentence per error, in pydantic's order."""
    out = []
    for error in exc.errors(include_url=False):
        key = ".".join(str(part) for part in error["loc"] if not isinstance(part, int)) or "（整个配置）"
        ctx = {k: _readable(v) for k, v in (error.get("ctx") or {}).items()}
        template = MESSAGES.get(error["type"])
        if template is None:  # a validator's own message (already Chinese) or an unforeseen type
            message = str(ctx.get("error") or error["msg"])
            out.append(f"{key}：{message}")
        else:
            out.append(template.format(key=key, **ctx))
    return out


def _readable(value) -> str:
    text = str(value)
    return text.replace("'", "").replace(" or ", " 或 ")
