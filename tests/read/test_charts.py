"""Chart geometry (annotate/read/charts.py): round axis steps and bars in scale."""

import pytest

from annotate.read import charts
from annotate.read.reports import LabelFigure, Report, ReportFilter, SourceFigures


@pytest.mark.parametrize(
    ("value", "top"), [(0.003, 0.005), (0.02, 0.02), (0.021, 0.025), (0.26, 0.5), (0.9, 1.0), (7, 10), (0, 1.0)]
)
def test_nice_ceiling(value, top):
    assert charts.nice_ceiling(value) == pytest.approx(top)


def test_composition_scales_bars_to_the_widest_and_skips_unreviewed_sources(labels):
    shown = (labels["fact"], labels["opinion"])
    busy = SourceFigures(1, "Busy", articles=1, reviewed=1,
                         by_label={"fact": LabelFigure(2, 0.015), "opinion": LabelFigure(1, 0.005)})  # fmt: skip
    idle = SourceFigures(2, "Idle", articles=3, by_label={"fact": LabelFigure(), "opinion": LabelFigure()})
    chart = charts.composition(Report(ReportFilter(), shown, (), (busy, idle)))

    first, second = chart.bars
    assert [s.text for s in first.segments] == ["1.5%", "0.5%"]
    assert first.segments[1].x == pytest.approx(first.segments[0].x + first.segments[0].width)
    # 2% is the top of the axis, so 1.5% + 0.5% fills the whole bar area.
    assert sum(s.width for s in first.segments) == pytest.approx(charts.BAR_AREA)
    assert [t.text for t in chart.ticks] == ["0%", "0.5%", "1%", "1.5%", "2%"]
    assert (second.segments, second.note) == ((), "not reviewed")
