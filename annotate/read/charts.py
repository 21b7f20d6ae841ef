"""Chart geometry for the reports page, drawn as SVG by the templates: plain
numbers in pixels, so the template only places them. Colours are the
labels' own, as everywhere else."""

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from annotate.read.reports import Report
from annotate.rules.text import excerpt

NAME_WIDTH = 190  # px for the source names left of the bars
BAR_AREA = 460  # px for the longest bar
ROW_HEIGHT = 30
BAR_HEIGHT = 18
AXIS_HEIGHT = 28


@dataclass(frozen=True)
class BarPart:
    x: float
    width: float
    colour: str
    label: str
    value: float  # the figure, in the chart's unit
    text: str  # the figure as the table shows it


@dataclass(frozen=True)
class Bar:
    name: str
    y: float
    segments: tuple[BarPart, ...]
    note: str = ""  # shown after the bar, e.g. "not reviewed"


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    width: int = NAME_WIDTH + BAR_AREA + 180  # room for the hovered figure
    name_width: int = NAME_WIDTH

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT + AXIS_HEIGHT + 6

    @property
    def axis_y(self) -> int:
        return len(self.bars) * ROW_HEIGHT + 4

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT

    @property
    def plot_right(self) -> int:
        return NAME_WIDTH + BAR_AREA

    def body(self) -> str:
        """The SVG's grid, bars and their figures, escaped. Built here rather
        than in a template: a report of many sources has hundreds of segments,
        and the template language took longer over them than the figures."""
        parts = []
        for tick in self.ticks:
            parts.append(format_html(
                '<line class="grid" x1="{0}" x2="{0}" y1="0" y2="{1}"></line>'
                '<text class="tick" x="{0}" y="{2}" text-anchor="middle">{3}</text>',
                tick.x, self.axis_y, self.axis_y + 16, tick.text,
            ))  # fmt: skip
        text_y = BAR_HEIGHT - 4
        for bar in self.bars:
            parts.append(format_html(
                '<g class="bar" transform="translate(0 {})">'
                '<text class="name" x="{}" y="{}" text-anchor="end">{}</text>',
                bar.y, NAME_WIDTH - 8, text_y, excerpt(bar.name, 26),
            ))  # fmt: skip
            for segment in bar.segments:
                parts.append(format_html(
                    '<g class="segment" tabindex="0" role="img" aria-label="{0}: {1} {2}" data-source="{0}" '
                    'data-label="{1}" data-value="{2}"><title>{0} · {1}: {2}</title>'
                    '<rect x="{3}" y="0" width="{4}" height="{5}" fill="{6}"></rect>'
                    '<text class="tip" x="{7}" y="{8}">{1}: {2}</text></g>',
                    bar.name, segment.label, segment.text, round(segment.x, 2), round(segment.width, 2),
                    BAR_HEIGHT, segment.colour, self.plot_right + 6, text_y,
                ))  # fmt: skip
            if bar.note:
                parts.append(
                    format_html('<text class="note" x="{}" y="{}">{}</text>', NAME_WIDTH + 4, text_y, bar.note)
                )
            parts.append(mark_safe("</g>"))  # closes the bar's group opened above
        return format_html_join("", "{}", ((part,) for part in parts))


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``value`` (> 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-12:
            return step * power
    return 10 * power


def _ticks(top: float, fmt) -> tuple[Tick, ...]:
    """Round steps: 2.5 and 5 split in five (0.5, 1), 1 and 2 in four (0.25, 0.5)."""
    mantissa = top / 10 ** math.floor(math.log10(top))
    parts = 5 if round(mantissa, 6) in (2.5, 5.0) else 4
    return tuple(Tick(NAME_WIDTH + BAR_AREA * i / parts, fmt(top * i / parts)) for i in range(parts + 1))


def _tick_percent(value: float) -> str:
    return f"{round(value * 100, 4):g}%"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def composition(report: Report) -> Chart:
    """Each source's text by label: one stacked bar per source, a segment per
    label with the share of the text it covers."""
    totals = [sum(s.by_label[label.slug].share for label in report.labels) for s in report.sources]
    top = nice_ceiling(max(totals, default=0) or 0.01)
    bars = []
    for index, source in enumerate(report.sources):
        x, segments = NAME_WIDTH, []
        for label in report.labels if source.reviewed else ():
            share = source.by_label[label.slug].share
            width = BAR_AREA * share / top
            segments.append(BarPart(x, width, label.colour, label.name, share, percent(share)))
            x += width
        bars.append(Bar(source.source, index * ROW_HEIGHT, tuple(segments), "" if source.reviewed else "not reviewed"))
    return Chart("Share of each source's text by label", "share of text", tuple(bars), _ticks(top, _tick_percent))


def unsupported_density(report: Report, colour: str) -> Chart:
    values = [s.unsupported_per_1000 for s in report.sources]
    top = nice_ceiling(max((v for v in values if v), default=0) or 1)
    bars = []
    for index, (source, value) in enumerate(zip(report.sources, values, strict=True)):
        segments = ()
        if value is not None:
            text = f"{value:.2f}"
            segments = (BarPart(NAME_WIDTH, BAR_AREA * value / top, colour, "Unsupported claims", value, text),)
        bars.append(Bar(source.source, index * ROW_HEIGHT, segments, "" if value is not None else "not reviewed"))
    return Chart(
        "Unsupported claims per 1,000 words", "per 1,000 words", tuple(bars), _ticks(top, lambda v: f"{round(v, 4):g}")
    )
