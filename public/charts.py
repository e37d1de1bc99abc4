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
    """One row per bar: the agency's name above its bar, the share and sample size to the right. Drawn
    at about 1:1 on a phone (360 units wide) so the text stays legible."""
    width, x0, plot_w, row_h, top, bottom = 360, 6, 250, 46, 4, 26
    height = top + row_h * max(len(bars), 1) + bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = x0 + plot_w * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top + 18}" x2="{x:.1f}" y2="{height - bottom}" class="grid"/>')
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" class="tick" text-anchor="{anchor}">{tick}%</text>')
    for i, bar in enumerate(bars):
        y = top + i * row_h
        mid = y + 28
        name = bar.label if len(bar.label) <= 40 else bar.label[:39] + "…"
        parts.append(f'<text x="{x0}" y="{y + 14}" class="label">{escape(name)}</text>')
        parts.append(f'<rect x="{x0}" y="{y + 20}" width="{plot_w * bar.share:.1f}" height="16" class="bar"/>')
        lx, hx = x0 + plot_w * bar.low, x0 + plot_w * bar.high
        parts.append(f'<line x1="{lx:.1f}" y1="{mid:.1f}" x2="{hx:.1f}" y2="{mid:.1f}" class="ci"/>')
        for x in (lx, hx):
            parts.append(f'<line x1="{x:.1f}" y1="{mid - 7:.1f}" x2="{x:.1f}" y2="{mid + 7:.1f}" class="ci"/>')
        parts.append(
            f'<text x="{x0 + plot_w + 8}" y="{mid + 4:.1f}" class="value">{bar.share * 100:.0f}% '
            f"({escape(n_label)}={bar.n})</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
