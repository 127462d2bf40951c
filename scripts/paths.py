"""Where things live. Every other module takes its paths from here."""

import hashlib
import shutil
from collections.abc import Iterable
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


# The environment variable that overrides the site's address (mkdocs.yml's site_url) for one
# build. The command line reads it once; the Pages workflow fills it from the repository's Pages
# settings. Only the published copies under site/ carry the address: charts/ and data/derived/
# do not depend on it.
SITE_URL_ENV = "SITE_URL"


def site_url(root: Path) -> str:
    """The default address of the published site, from mkdocs.yml (always ending in a slash)."""
    from scripts.errors import InputError

    try:
        lines = (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise InputError("mkdocs.yml", f"is not valid UTF-8 (byte {err.start}); save it as UTF-8") from None
    except OSError as err:
        raise InputError("mkdocs.yml", "file is missing" if isinstance(err, FileNotFoundError)
                         else f"cannot be read: {err.strerror}") from None
    for line in lines:
        if line.startswith("site_url:"):
            return line.split(":", 1)[1].strip().strip("'\"").rstrip("/") + "/"
    raise InputError("mkdocs.yml", "has no site_url line (the site's address, e.g. site_url: https://example.org/site/)")


def normalize_site_url(value: str) -> str:
    """An absolute http(s) address ending in a slash, or ValueError saying what is wrong."""
    from urllib.parse import urlsplit

    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{text!r} is not an absolute http(s) address such as https://example.org/site/")
    if parts.query or parts.fragment or any(ch.isspace() or ch in "\"'<>\\" for ch in text):
        raise ValueError(f"{text!r} must be a plain address (no query, fragment, quotes or spaces)")
    return text.rstrip("/") + "/"


@dataclass(frozen=True)
class Layout:
    """The same tree rooted elsewhere, so tests can build a corrupted copy in isolation."""

    root: Path
    # The site's address for this build (e.g. from $SITE_URL); None: mkdocs.yml's site_url.
    address: str | None = None

    @property
    def site_url(self) -> str:
        return normalize_site_url(self.address) if self.address else site_url(self.root)

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


# Environments and outputs, which live at the top level only.
NOT_COPIED = {".git", ".venv", "node_modules", "site", ".cache", ".pytest_cache", ".hypothesis", "__pycache__",
              "screenshots"}
# Installed packages and bytecode, wherever they are (the benchmark tools keep their own node_modules).
NOT_COPIED_ANYWHERE = {"node_modules", "__pycache__"}


def copy_working_tree(dest: Path, *, share_cache: bool) -> Layout:
    """The working tree minus environments and outputs, for builds that must not touch it.

    node_modules is linked, not copied; the render cache is shared only when asked (it is
    content-addressed, so sharing is safe, but a cold-build benchmark must not).
    """

    def ignore(directory: str, names: list[str]) -> list[str]:
        if Path(directory) == ROOT:
            return [n for n in names if n in NOT_COPIED or n.startswith(".build-staging-") or n == ".build.lock"
                    or n.endswith(".previous")]
        return [n for n in names if n in NOT_COPIED_ANYWHERE]

    shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    if share_cache:
        (ROOT / ".cache").mkdir(exist_ok=True)
        (dest / ".cache").symlink_to(ROOT / ".cache")
    return Layout(dest)


def content_digest(root: Path, names: Iterable[str], *, salt: str = "", skip: Iterable[str] = ()) -> str:
    """SHA-256 of every file under ``names`` (files or folders relative to ``root``): paths and bytes.

    Only names relative to ``root`` go in, so the same tree elsewhere has the same digest.
    Path parts in ``skip`` (e.g. ``__pycache__``) are left out; a missing name counts as such.
    """
    skip = frozenset(skip)
    digest = hashlib.sha256(salt.encode("utf-8") + b"\n")
    for name in names:
        top = root / name
        files = sorted(path for path in top.rglob("*") if path.is_file()) if top.is_dir() else [top]
        for path in files:
            relative = path.relative_to(root)
            if skip.intersection(relative.parts):
                continue
            digest.update(relative.as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    return digest.hexdigest()
