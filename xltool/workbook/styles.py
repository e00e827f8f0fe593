"""Cell styles of the template: readable Chinese at 100% zoom, input cells pale yellow."""

from typing import Any

_BORDER: dict[str, Any] = {"border": 1, "valign": "vcenter", "text_wrap": True}
_INPUT: dict[str, Any] = {**_BORDER, "locked": False, "bg_color": "#FFF9DB"}
_FORMULA: dict[str, Any] = {**_BORDER, "bg_color": "#EDEDED", "bold": True, "align": "right"}

STYLES: dict[str, dict[str, Any]] = {
    "title": {
        "bold": True,
        "font_size": 16,
        "align": "center",
        "valign": "vcenter",
        "font_name": "黑体",
    },
    "subtitle": {"font_size": 11, "align": "left", "valign": "vcenter"},
    "caption": {**_BORDER, "bold": True, "align": "center", "bg_color": "#DDEBF7"},
    "corner": {**_BORDER, "align": "left", "font_size": 10, "italic": True},
    "header": {**_BORDER, "bold": True, "align": "center", "bg_color": "#DDEBF7"},
    "label": {**_BORDER, "align": "left"},
    "section": {"bold": True, "font_size": 13, "font_name": "黑体", "valign": "vcenter"},
    "field_label": {**_BORDER, "bold": True, "align": "left"},
    "guide": {"text_wrap": True, "valign": "top", "font_size": 11},
    "input_int": {**_INPUT, "num_format": "0", "align": "right"},
    "input_dec": {**_INPUT, "num_format": "0.00##", "align": "right"},
    "input_text": {**_INPUT, "align": "left"},
    "input_long": {**_INPUT, "align": "left", "valign": "top"},
    "input_date": {**_INPUT, "num_format": "yyyy-mm-dd", "align": "left"},
    "formula_int": {**_FORMULA, "num_format": "0"},
    "formula_dec": {**_FORMULA, "num_format": "0.00##"},
    "input_pct": {**_INPUT, "num_format": "0.0%", "align": "right"},  # a percent is kept as a ratio
    "formula_pct": {**_FORMULA, "num_format": "0.0%"},
    "check": {**_BORDER, "align": "center", "font_size": 10},
    "check_label": {**_BORDER, "align": "left", "font_size": 10, "italic": True},
    "check_code": {**_BORDER, "align": "center"},
    "cf_error": {"bg_color": "#F8CBAD", "font_color": "#9C0006", "bold": True},
    "cf_warning": {"bg_color": "#FFE699", "font_color": "#7F6000"},
    "cf_pass": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "cf_todo": {"bg_color": "#EDEDED", "font_color": "#595959"},
}
