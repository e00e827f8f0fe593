"""The console's 数据质量 tab: what ``xltool status --quality`` lists (values far from their peers, G1,
or from the unit's last year, G2), farthest out first, each with a small chart drawn here as SVG
coordinates (no script): the peers as grey dots, their median as a line, the unit's value in red.

A GET that writes nothing; the result is kept until the register changes (as the board is).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template

from xltool.app.overview import StatusSource, data_quality
from xltool.campaign.quality import QualityResult, QualityRow
from xltool.campaign.settings import load_campaign
from xltool.console.views import Views

WIDTH, LEFT, RIGHT = 260, 8, 252  # the chart's width and its axis's ends (px)


@dataclass(frozen=True)
class Chart:
    """A row's chart in SVG x positions: the others' dots, the median line (None: last year), the unit's dot."""

    dots: list[float]
    median: float | None
    unit: float
    low: str
    high: str


def chart(row: QualityRow) -> Chart:
    others = list(row.peers) if row.peers else [float(row.compared.get("last_year", 0))]
    middle = row.compared.get("median")
    value = float(row.value) if isinstance(row.value, int | float) else 0.0
    lo, hi = min([*others, value]), max([*others, value])
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return round(LEFT + (v - lo) / span * (RIGHT - LEFT), 1)

    return Chart([x(v) for v in others], None if middle is None else x(float(middle)), x(value), _n(lo), _n(hi))


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"


class QualityView:
    """The tab's result, made again only after the register changed (other connections' commits too)."""

    def __init__(self, views: Views) -> None:
        self.views = views
        self._lock = threading.Lock()
        self._kept: tuple[Any, QualityResult] | None = None

    def result(self, campaign: Any) -> QualityResult:
        key = (self.views.changes(), dt.date.today(), repr(campaign))
        with self._lock:
            if self._kept is None or self._kept[0] != key:
                self._kept = (key, data_quality(StatusSource(folder=campaign.root)))
            return self._kept[1]


def install(app: Flask) -> None:
    view = QualityView(app.extensions["xltool_views"])

    @app.get("/quality")
    def quality() -> Any:
        campaign = load_campaign(app.config["XLTOOL_ROOT"])
        result = view.result(campaign)
        rows = [(row, chart(row)) for row in result.rows]
        return render_template("quality.html", campaign=campaign, result=result, rows=rows, width=WIDTH)
