"""Inline SVG bar charts for the statistics page and the annual report: no JavaScript, no CDN."""
from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from markupsafe import Markup


def bar_chart(items, *, title: str, unit: str = "", width: int = 380, bar_height: int = 22,
              color: str = "#b71c1c") -> Markup:
    """Horizontal bars, one per (label, value); labels left, values right. Scales to its container."""
    items = [(str(label), value) for label, value in items]
    if not items:
        return Markup(f'<p class="muted">{escape(title)}：暂无数据</p>')
    label_w, value_w, gap = 110, 95, 6
    top = 28
    height = top + len(items) * (bar_height + gap) + 4
    peak = max((Decimal(str(v)) for _, v in items), default=Decimal(1)) or Decimal(1)
    span = width - label_w - value_w
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="Noto Sans CJK SC, sans-serif" font-size="13">',
             f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        w = max(int(span * Decimal(str(value)) / peak), 1 if value else 0)
        shown = f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height - 6}" text-anchor="end">'
                     f'{escape(label[:8])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_height}" fill="{color}" rx="2"/>')
        parts.append(f'<text x="{label_w + w + 4}" y="{y + bar_height - 6}">{escape(shown)}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
