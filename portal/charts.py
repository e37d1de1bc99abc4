"""Server-rendered SVG charts (no JavaScript, no CDN): horizontal bars for a share with its 95%
confidence interval drawn as a whisker. Every text is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    label: str
    share: float
    low: float
    high: float
    n: int


def share_chart(*, bars: list[Bar], title: str, description: str, chart_id: str, n_label: str) -> SafeString:
    label_w, plot_w, row_h, top, bottom = 190, 360, 30, 10, 30
    width = label_w + plot_w + 70
    height = top + row_h * max(len(bars), 1) + bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    x0 = label_w
    for tick in (0, 25, 50, 75, 100):
        x = x0 + plot_w * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" class="grid"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" class="tick" text-anchor="middle">{tick}%</text>')
    for i, bar in enumerate(bars):
        y = top + i * row_h
        mid = y + row_h / 2
        w = plot_w * bar.share
        name = bar.label if len(bar.label) <= 26 else bar.label[:25] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{mid + 4:.1f}" text-anchor="end" class="label">{escape(name)}</text>')
        parts.append(f'<rect x="{x0}" y="{y + 7}" width="{w:.1f}" height="{row_h - 14}" class="bar"/>')
        lx, hx = x0 + plot_w * bar.low, x0 + plot_w * bar.high
        parts.append(f'<line x1="{lx:.1f}" y1="{mid:.1f}" x2="{hx:.1f}" y2="{mid:.1f}" class="ci"/>')
        for x in (lx, hx):
            parts.append(f'<line x1="{x:.1f}" y1="{mid - 6:.1f}" x2="{x:.1f}" y2="{mid + 6:.1f}" class="ci"/>')
        parts.append(
            f'<text x="{x0 + plot_w + 8}" y="{mid + 4:.1f}" class="value">{bar.share * 100:.0f}% '
            f"({escape(n_label)}={bar.n})</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
