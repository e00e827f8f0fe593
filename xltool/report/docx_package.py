"""The parts of a .docx around the text: the font table and the document properties.

python-docx starts from its own default.docx, whose font table lists Calibri, Cambria and two Japanese
fonts, whose properties say "python-docx", created 2013, "Microsoft Macintosh Word", and which carries a
stock thumbnail. Windows 10/11 lack 仿宋_GB2312, 楷体_GB2312 and 方正小标宋简体: Word and WPS choose a
substitute from the font table's alternative name, charset (86 = GB2312) and PANOSE class, so each
GB/T 9704 font is described there as Word itself writes it, pointing at the face Windows ships.
"""

from __future__ import annotations

import datetime as dt

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_GB = ("00000001", "080E0000", "00000000", "00000000", "00040000", "00000000")  # a GB2312-only face
_WIN = ("800002BF", "38CF7CFA", "00000016", "00000000", "00040001", "00000000")  # SimHei, FangSong …

# name: (alternative name, PANOSE-1, family, pitch, signature usb0..3 csb0..1)
FONTS: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    "仿宋_GB2312": ("仿宋", "02010609030101010101", "modern", "fixed", _GB),
    "楷体_GB2312": ("楷体", "02010609030101010101", "modern", "fixed", _GB),
    "方正小标宋简体": ("宋体", "02000000000000000000", "auto", "variable", _GB),
    "黑体": ("SimHei", "02010609060101010101", "modern", "fixed", _WIN),
    "宋体": ("SimSun", "02010600030101010101", "auto", "variable", ("00000003", "288F0000", *_WIN[2:])),
}
GB2312_CHARSET = "86"

_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><TotalTime>0</TotalTime><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def font_table_xml() -> bytes:
    """word/fontTable.xml naming the report's fonts (and no others)."""
    fonts = []
    for name, (alt, panose, family, pitch, sig) in FONTS.items():
        usb0, usb1, usb2, usb3, csb0, csb1 = sig
        fonts.append(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="{GB2312_CHARSET}"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/>'
            f'<w:sig w:usb0="{usb0}" w:usb1="{usb1}" w:usb2="{usb2}" w:usb3="{usb3}" '
            f'w:csb0="{csb0}" w:csb1="{csb1}"/></w:font>'
        )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="{_W}">{"".join(fonts)}</w:fonts>'
    return xml.encode("utf-8")


def set_up_package(doc: DocxDocument, title: str, author: str) -> None:
    """Our font table and properties in place of python-docx's defaults; the stock thumbnail removed."""
    doc.part.part_related_by(RT.FONT_TABLE)._blob = font_table_xml()  # a plain Part: its blob is its XML
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)  # core.xml writes it as UTC
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = now
    props.comments = props.subject = props.keywords = props.category = ""
    props.revision = 1
    props.language = "zh-CN"
    package = doc.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel.rId)  # the part goes too: only reachable parts are saved
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML.encode("utf-8")
