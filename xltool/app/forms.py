"""Which form a use case works with: the one named (a file, a folder or a shipped id), or the one a
campaign folder recorded at ``init`` (another one named for it is refused)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xltool.app.errors import FormMismatch
from xltool.form.loader import load_form
from xltool.form.registry import resolve_form

if TYPE_CHECKING:
    from xltool.campaign.settings import Campaign
    from xltool.form.model import Form


def load_form_spec(spec: str | None) -> Form:
    """The form named by ``spec`` (default: the shipped annual report), loaded and checked."""

    return load_form(resolve_form(spec))


def campaign_form(campaign: Campaign, spec: str | None) -> Form:
    """The form a campaign folder recorded at ``xltool init``. A form named that is another one
    (another id or version) is refused: the campaign's returns, register and totals are of its own form."""
    form = campaign.form()
    if spec:
        given = load_form_spec(spec)
        if (given.id, given.version) != (form.id, form.version):
            raise FormMismatch(
                f"报送工作文件夹 {campaign.root} 使用表单“{form.name}”（{form.id}，版本 {form.version}），"
                f"不能用 --form 改为“{given.name}”。请去掉 --form（报送工作文件夹的表单记录在 xltool.toml 中）。"
            )
    return form
