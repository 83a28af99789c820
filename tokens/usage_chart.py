"""
The token page's bar chart of queries per day, drawn by the server as inline SVG: the geometry
here, the markup in tokens/_usage_chart.html, the colours in the stylesheet. No script and no
style attribute, so the Content Security Policy stays strict.
"""

from dataclasses import dataclass

from tokens.selectors import DayCount

# The plot's own units: one slot per day, stretched to the width the page gives it.
SLOT = 10
BAR = 7
HEIGHT = 100
# Round tops for the scale, in tenths: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 and 8 times a power of ten.
MANTISSAS = (10, 12, 15, 20, 25, 30, 40, 50, 60, 80)


def scale_top(largest: int) -> int:
    """The top of the scale: the smallest round number that holds `largest` and whose half, the
    middle gridline's label, is a whole number too (at least 2)."""
    power = 1
    while True:
        for mantissa in MANTISSAS:
            top, fraction = divmod(mantissa * power, 10)
            if not fraction and top % 2 == 0 and top >= largest:
                return top
        power *= 10


def _units(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bar:
    day: DayCount
    x: str
    y: str
    height: str
    is_today: bool


@dataclass(frozen=True)
class UsageChart:
    bars: list[Bar]
    top: int  # the value at the top gridline
    width: int = 0
    height: int = HEIGHT
    bar_width: int = BAR

    @classmethod
    def of(cls, days: list[DayCount]) -> "UsageChart":
        """Bars for `days` (oldest first, the last one today), scaled to the busiest day. A day
        with any query gets at least one unit, so it never looks like a day without."""
        top = scale_top(max((day.queries for day in days), default=0))
        bars = []
        for index, day in enumerate(days):
            height = day.queries / top * HEIGHT
            if day.queries:
                height = max(height, 1.0)
            bars.append(
                Bar(
                    day=day,
                    x=_units(index * SLOT + (SLOT - BAR) / 2),
                    y=_units(HEIGHT - height),
                    height=_units(height),
                    is_today=index == len(days) - 1,
                )
            )
        return cls(bars=bars, top=top, width=len(days) * SLOT)

    @property
    def middle(self) -> int:
        return self.top // 2

    @property
    def middle_line(self) -> int:
        return self.height // 2

    @property
    def first_day(self) -> DayCount:
        return self.bars[0].day

    @property
    def middle_day(self) -> DayCount:
        return self.bars[(len(self.bars) - 1) // 2].day

    @property
    def last_day(self) -> DayCount:
        return self.bars[-1].day

    @property
    def total(self) -> int:
        return sum(bar.day.queries for bar in self.bars)

    @property
    def busiest(self) -> DayCount | None:
        """The day with the most queries (the latest of equals); None when there were none."""
        busiest = max(reversed([bar.day for bar in self.bars]), key=lambda day: day.queries)
        return busiest if busiest.queries else None
