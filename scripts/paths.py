"""Where things live. Every other module takes its paths from here."""

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SOURCE = DATA / "source"  # hand-curated: code never writes here
DERIVED = DATA / "derived"  # written only by the build
DATAPACKAGE = DATA / "datapackage.json"
CHARTS = ROOT / "charts"
DOCS = ROOT / "docs"
SITE = ROOT / "site"
BUILD_CACHE = ROOT / ".cache"


@dataclass(frozen=True)
class Layout:
    """The same tree rooted elsewhere, so tests can build a corrupted copy in isolation."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def derived(self) -> Path:
        return self.data / "derived"

    @property
    def charts(self) -> Path:
        return self.root / "charts"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def cache(self) -> Path:
        return self.root / ".cache"


DEFAULT = Layout(ROOT)
