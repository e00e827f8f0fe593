"""Write samples/roster.xlsx and samples/roster.csv: the reporting units of 桐柏县 (Tongbai County).

Run from anywhere:  python samples/make_roster.py
The towns are the county's 13 镇 and 3 乡; the departments are a typical set of 县政府工作部门 plus one
vertical agency and the development zone's 管委会. Contacts are invented; emails use example.org.
Both files hold the same table; the .csv is UTF-8 with BOM so that Excel/WPS open it correctly.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import xlsxwriter

TITLE = "桐柏县2025年度政府信息公开工作年度报告报送单位名单"
HEADER = ("序号", "单位名称", "单位类型", "联系人", "联系邮箱", "备注")
WIDTHS = (6, 34, 10, 10, 30, 16)

# (单位名称, 单位类型, 联系人, 邮箱用户名, 备注)
UNITS: tuple[tuple[str, str, str, str, str], ...] = (
    ("城关镇人民政府", "乡镇", "王磊", "chengguan", ""),
    ("淮源镇人民政府", "乡镇", "李娜", "huaiyuan", ""),
    ("平氏镇人民政府", "乡镇", "张静", "pingshi", ""),
    ("埠江镇人民政府", "乡镇", "刘洋", "bujiang", ""),
    ("月河镇人民政府", "乡镇", "陈晨", "yuehe", ""),
    ("吴城镇人民政府", "乡镇", "杨帆", "wucheng", ""),
    ("固县镇人民政府", "乡镇", "赵敏", "guxian", ""),
    ("毛集镇人民政府", "乡镇", "黄丽", "maoji", ""),
    ("大河镇人民政府", "乡镇", "周强", "dahe", ""),
    ("程湾镇人民政府", "乡镇", "吴鹏", "chengwan", ""),
    ("黄岗镇人民政府", "乡镇", "徐芳", "huanggang", ""),
    ("朱庄镇人民政府", "乡镇", "孙涛", "zhuzhuang", ""),
    ("安棚镇人民政府", "乡镇", "朱琳", "anpeng", ""),
    ("新集乡人民政府", "乡镇", "胡杰", "xinji", ""),
    ("回龙乡人民政府", "乡镇", "郭婷", "huilong", ""),
    ("城郊乡人民政府", "乡镇", "何勇", "chengjiao", ""),
    ("桐柏县人民政府办公室", "部门", "高峰", "tbxzfb", "政务公开办"),
    ("桐柏县发展和改革委员会", "部门", "林霞", "tbfgw", ""),
    ("桐柏县教育局", "部门", "罗欣", "tbjyj", ""),
    ("桐柏县公安局", "部门", "郑浩", "tbgaj", ""),
    ("桐柏县民政局", "部门", "梁燕", "tbmzj", ""),
    ("桐柏县司法局", "部门", "谢斌", "tbsfj", ""),
    ("桐柏县财政局", "部门", "宋佳", "tbczj", ""),
    ("桐柏县人力资源和社会保障局", "部门", "唐亮", "tbrsj", ""),
    ("桐柏县自然资源局", "部门", "韩雪", "tbzrzyj", ""),
    ("南阳市生态环境局桐柏分局", "部门", "冯娟", "tbsthj", "垂直管理"),
    ("桐柏县住房和城乡建设局", "部门", "董伟", "tbzjj", ""),
    ("桐柏县交通运输局", "部门", "程刚", "tbjtj", ""),
    ("桐柏县水利局", "部门", "曹阳", "tbslj", ""),
    ("桐柏县农业农村局", "部门", "袁芳", "tbnyj", ""),
    ("桐柏县文化广电和旅游局", "部门", "邓辉", "tbwglj", ""),
    ("桐柏县卫生健康委员会", "部门", "许倩", "tbwjw", ""),
    ("桐柏县退役军人事务局", "部门", "傅军", "tbtyjrj", ""),
    ("桐柏县应急管理局", "部门", "沈琦", "tbyjj", ""),
    ("桐柏县市场监督管理局", "部门", "彭亮", "tbscjgj", ""),
    ("桐柏县统计局", "部门", "吕萍", "tbtjj", ""),
    ("桐柏县先进制造业开发区管理委员会", "其他", "蒋涛", "tbkfq", ""),
)


def rows() -> list[tuple[str, ...]]:
    """The table below the title: header, then one row per unit."""
    body = [
        (str(i), name, kind, contact, f"{user}@example.org", note)
        for i, (name, kind, contact, user, note) in enumerate(UNITS, 1)
    ]
    return [HEADER, *body]


def write_xlsx(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": TITLE, "author": "桐柏县政务公开办", "created": datetime(2025, 12, 20)})
    ws = wb.add_worksheet("报送单位名单")
    font = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "border": 1}
    title = wb.add_format({"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter"})
    head = wb.add_format({**font, "bold": True, "align": "center", "bg_color": "#D9D9D9"})
    cell = wb.add_format(font)
    centred = wb.add_format({**font, "align": "center"})
    ws.merge_range(0, 0, 0, len(HEADER) - 1, TITLE, title)
    ws.set_default_row(20)
    ws.set_row(0, 36)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    for r, values in enumerate(rows(), 1):
        for c, value in enumerate(values):
            if r == 1:
                ws.write_string(r, c, value, head)
            elif c == 0:
                ws.write_number(r, c, int(value), centred)
            else:
                ws.write_string(r, c, value, centred if c in (2, 3) else cell)
    ws.freeze_panes(2, 0)
    ws.set_paper(9)  # A4
    ws.repeat_rows(0, 1)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    wb.close()


def write_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([TITLE] + [""] * (len(HEADER) - 1))  # as Excel saves the merged title row
        writer.writerows(rows())


def main() -> None:
    here = Path(__file__).resolve().parent
    write_xlsx(here / "roster.xlsx")
    write_csv(here / "roster.csv")


if __name__ == "__main__":
    main()
