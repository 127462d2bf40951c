"""Where things live. Every other module takes its paths from here."""

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
