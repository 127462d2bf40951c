"""Chart registration and discovery.

A chart is a function ``fn(ctx) -> (chart, frame)`` decorated with :func:`chart`;
``frame`` is exactly the DataFrame the chart shows (it is published as CSV)::

    from scripts.charts.describe import from_ledger
    from scripts.charts.registry import chart

    @chart(
        id="overview-linked-vs-inspired",
        section="overview",
        title="Most plots were linked to the Islamic State, not merely inspired by it",
        source="CTC West Point, Beyond the Caliphate: Belgium (2018), table 1",
        description=from_ledger("{overview-linked-share} of {overview-plots} plots were linked."),
    )
    def linked_vs_inspired(ctx):
        frame = ctx.table("plots").groupby("link_type", as_index=False).size()
        return alt.Chart(frame).mark_bar().encode(...).properties(width="container"), frame

Charts are found by importing every module of the ``scripts.charts.sections`` package, one per
section and named after it; no chart id or module is listed anywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

if TYPE_CHECKING:
    from scripts.charts.context import ChartContext

from scripts.errors import BuildError, DefinitionError, defined_at  # noqa: E402
# The sections in page order (scripts.project), also the sort order of the chart catalogue.
from scripts.project import SECTION_IDS  # noqa: E402

# The package whose modules hold the charts: one module per section, each named after it.
SECTIONS_PACKAGE = "scripts.charts.sections"

# Lower-case words joined by single hyphens: stable in URLs and file names.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID_LENGTH = 80

ChartResult = tuple[alt.TopLevelMixin, pd.DataFrame]
BuildFunction = Callable[["ChartContext"], ChartResult]
DescribeFunction = Callable[["ChartContext"], str]


class ChartDefinitionError(DefinitionError):
    """A chart was registered with invalid or conflicting metadata."""


class ChartBuildError(BuildError, RuntimeError):
    """A chart function failed or returned something other than (chart, DataFrame)."""


@dataclass(frozen=True)
class RegisteredChart:
    id: str
    section: str
    title: str
    source: str
    describe: DescribeFunction
    build_function: BuildFunction
    # One line under the title on the page: what is counted, and over what (no figures in it).
    subtitle: str = ""
    # Columns of its CSV that scripts.charts.columns does not describe: name → (description, unit).
    columns: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"{self.build_function.__module__}.{self.build_function.__qualname__}"

    def build(self, ctx: ChartContext) -> ChartResult:
        """Run the chart function and check what it returned."""
        try:
            result = self.build_function(ctx)
        except Exception as exc:
            raise ChartBuildError(f"chart {self.id!r} ({self.origin}) failed: {exc}") from exc
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ChartBuildError(f"chart {self.id!r} must return (chart, DataFrame)")
        figure, frame = result
        if not isinstance(figure, alt.TopLevelMixin):
            raise ChartBuildError(f"chart {self.id!r} returned {type(figure).__name__}, not an Altair chart")
        if not isinstance(frame, pd.DataFrame):
            raise ChartBuildError(f"chart {self.id!r} returned {type(frame).__name__}, not a DataFrame")
        return figure, frame

    def description(self, ctx: ChartContext) -> str:
        """The generated alt text / summary of the chart."""
        try:
            text = self.describe(ctx)
        except Exception as exc:
            raise ChartBuildError(f"description of chart {self.id!r} failed: {exc}") from exc
        if not isinstance(text, str) or not text.strip():
            raise ChartBuildError(f"description of chart {self.id!r} is empty")
        return " ".join(text.split())


class Registry:
    """A set of charts keyed by id. Tests create their own; the site uses ``default_registry``."""

    def __init__(self, package: str | None = None) -> None:
        self._charts: dict[str, RegisteredChart] = {}
        self._package = package

    def chart(
        self,
        *,
        id: str,  # noqa: A002 - reads naturally in the decorator call
        section: str,
        title: str,
        source: str,
        description: DescribeFunction,
        subtitle: str = "",
        columns: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> Callable[[BuildFunction], BuildFunction]:
        """Decorator registering ``fn(ctx) -> (chart, DataFrame)``; returns ``fn`` unchanged."""

        def register(build_function: BuildFunction) -> BuildFunction:
            self.add(
                RegisteredChart(
                    id=id,
                    section=section,
                    title=title,
                    source=source,
                    describe=description,
                    build_function=build_function,
                    subtitle=subtitle,
                    columns=dict(columns or {}),
                )
            )
            return build_function

        return register

    def add(self, entry: RegisteredChart) -> None:
        try:
            _check_definition(entry)
        except ChartDefinitionError as err:
            raise ChartDefinitionError(f"{defined_at(entry.build_function)}: {err}") from None
        existing = self._charts.get(entry.id)
        if existing is not None:
            raise ChartDefinitionError(
                f"{defined_at(entry.build_function)}: duplicate chart id {entry.id!r}: defined by {existing.origin} "
                f"and {entry.origin}"
            )
        self._charts[entry.id] = entry

    def discover(self) -> None:
        """Import the section modules so that their decorators run."""
        if self._package is not None:
            for module in section_modules(self._package):
                importlib.import_module(module)

    def charts(self) -> list[RegisteredChart]:
        """Registered charts in section order, then by id."""
        return sorted(self._charts.values(), key=catalogue_order)

    def get(self, chart_id: str) -> RegisteredChart:
        try:
            return self._charts[chart_id]
        except KeyError:
            raise KeyError(f"no chart registered with id {chart_id!r}") from None

    def __iter__(self) -> Iterator[RegisteredChart]:
        return iter(self.charts())

    def __len__(self) -> int:
        return len(self._charts)

    def __contains__(self, chart_id: object) -> bool:
        return chart_id in self._charts


def section_modules(package: str = SECTIONS_PACKAGE) -> tuple[str, ...]:
    """The modules of ``package`` (found by listing its folder) in section order.

    Each is named after a section; a module named after none is a definition error, so a new
    section's charts cannot be left out of the catalogue by a typo.
    """
    folder = importlib.import_module(package).__path__
    names = [info.name for info in pkgutil.iter_modules(folder) if not info.name.startswith("_")]
    unknown = sorted(set(names) - set(SECTION_IDS))
    if unknown:
        raise ChartDefinitionError(
            f"{package}: module(s) {', '.join(unknown)} named after no section (expected one of {', '.join(SECTION_IDS)})"
        )
    return tuple(f"{package}.{name}" for name in sorted(names, key=SECTION_IDS.index))


def catalogue_order(entry: RegisteredChart) -> tuple[int, str]:
    return SECTION_IDS.index(entry.section), entry.id


def is_valid_id(chart_id: object) -> bool:
    return (
        isinstance(chart_id, str)
        and len(chart_id) <= MAX_ID_LENGTH
        and ID_PATTERN.fullmatch(chart_id) is not None
    )


def _check_definition(entry: RegisteredChart) -> None:
    if not is_valid_id(entry.id):
        raise ChartDefinitionError(
            f"chart id {entry.id!r} is not kebab-case "
            f"(lower-case letters and digits joined by single hyphens, at most {MAX_ID_LENGTH} characters)"
        )
    if entry.section not in SECTION_IDS:
        raise ChartDefinitionError(
            f"chart {entry.id!r}: unknown section {entry.section!r} (expected one of {', '.join(SECTION_IDS)})"
        )
    for name in ("title", "source"):
        value = getattr(entry, name)
        if not isinstance(value, str) or not value.strip():
            raise ChartDefinitionError(f"chart {entry.id!r}: {name} must be a non-empty string")
    if not callable(entry.describe):
        raise ChartDefinitionError(f"chart {entry.id!r}: description must be a callable ctx -> str")
    if not callable(entry.build_function):
        raise ChartDefinitionError(f"chart {entry.id!r}: the decorated object is not callable")


default_registry = Registry(SECTIONS_PACKAGE)
chart = default_registry.chart


def registered_charts() -> list[RegisteredChart]:
    """All site charts, after importing every section module."""
    default_registry.discover()
    return default_registry.charts()
