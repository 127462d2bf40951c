"""After MkDocs: add chart assets, downloads, the data package, the Vega runtime, embed pages
and a Content-Security-Policy to the generated site."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import os
import shutil
import subprocess
from pathlib import Path

from scripts import cache, steps
from scripts.charts.build import ASSETS_DIR
from scripts.errors import BuildError
from scripts import project
from scripts.paths import Layout
from scripts.site import cards, manifest, render, versions
from scripts.site.prune_css import prune_page

RUNTIME_ENTRY = Path(__file__).parent / "runtime" / "vega-runtime.js"
# The Data Package as published under site/data/ (beside the ledger), relative to data/.
DATA_FILES = tuple(path.removeprefix("data/") for path in steps.DATA_PACKAGE)
ESBUILD_OPTIONS = ("--bundle", "--format=esm", "--minify", "--legal-comments=none", "--log-level=warning")

# No 'unsafe-eval' anywhere: Vega runs its expressions through vega-interpreter.
CSP = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def finish(layout: Layout, stage: Path, site_dir: Path) -> None:
    state = render.SiteState.load(manifest.read(stage))
    _copy_tree(stage / ASSETS_DIR, site_dir / project.CHART_ASSETS_FOLDER)
    cards.write_page_cards(state.catalogue, stage / "docs", site_dir, layout.cache / "cards")
    # The catalogue and palette; the versions' files are written by versions.publish (not the build's records).
    _copy_tree(stage / "charts", site_dir / project.CHARTS_FOLDER,
               ignore=lambda folder, names: [name for name in names if name.startswith(".") or (Path(folder) / name).is_dir()
                                             or name == versions.RECORD_FILE])
    _publish_data(layout, stage, site_dir / project.DATA_FOLDER, state.site_url)
    _bundle_runtime(layout, site_dir / "assets" / "js" / "vega-runtime.js")
    _dark_without_scripts(site_dir)
    # Every version of every chart, with its embed pages (scripts.site.versions).
    published = versions.publish(state, layout, stage, site_dir)
    # Every page is read once, transformed in memory and written once.
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if page == site_dir / "404.html":
            html = base_path_independent(html, state.site_url)
        html = prune_page(_quiet_headerlinks(html), cache_dir=layout.cache / "css")
        html = _add_csp(page, _tidy_notebook(html, page, site_dir))
        page.write_text(html, encoding="utf-8")
    versions.record(state, stage, site_dir, published)


def _quiet_headerlinks(html: str) -> str:
    """Heading permalinks ("¶") are for pointing and copying, not for listening: hidden from
    assistive technology (and so out of the tab order, where a hidden link may not be)."""
    return html.replace('<a class="headerlink" ', '<a class="headerlink" aria-hidden="true" tabindex="-1" ')


SLATE = re.compile(r'\[data-md-color-scheme=(?:slate|"slate")\]')
# Body as the HTML ships it: Material's default scheme, no palette chosen (Material's inline script
# adds data-md-color-media when it applies a saved one), and scripts not (yet) run.
NO_SCRIPT_DEFAULT = '.no-js [data-md-color-scheme="default"]:not([data-md-color-media])'


def _style_rules(css: str, media: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str, str]]:
    """(enclosing @media conditions, selector, declarations) of every style rule, comments removed;
    rules inside other @-blocks (@supports, @keyframes, …) are left out."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, depth, start, prelude = [], 0, 0, ""
    for at, char in enumerate(css):
        if char == "{":
            if depth == 0:
                # After an @charset or @import statement, the prelude starts past its ";".
                prelude, start = css[start:at].rsplit(";", 1)[-1].strip(), at + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                if prelude.startswith("@media"):
                    rules += _style_rules(css[start:at], (*media, prelude))
                elif not prelude.startswith("@"):
                    rules.append((media, prelude, css[start:at]))
                start = at + 1
    return rules


def _selector_list(selector: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside :is(…) or :not(…))."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(selector):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(selector[start:at].strip())
            start = at + 1
    return [*parts, selector[start:].strip()]


def _dark_without_scripts(site_dir: Path) -> None:
    """A reader whose system is dark gets the dark palette without JavaScript.

    Material applies its palette with a script (data-md-color-scheme on the body). Every
    top-level rule of its stylesheets and ours that styles the slate scheme is repeated, under
    prefers-color-scheme: dark, for a page whose scripts have not run and whose reader chose no
    palette; appended to site.css, which loads after Material's.
    """
    stylesheets = sorted((site_dir / "assets" / "stylesheets").glob("*.css")) + [site_dir / "assets" / "css" / "site.css"]
    copied = []
    for sheet in stylesheets:
        for media, selector, body in _style_rules(sheet.read_text(encoding="utf-8")):
            parts = _selector_list(selector)
            slate = [SLATE.sub(NO_SCRIPT_DEFAULT, part) for part in parts if SLATE.search(part) and ":not(" not in part]
            if slate:
                rule = f"{', '.join(slate)} {{{body.strip()}}}"
                for condition in reversed(media):
                    rule = f"{condition} {{{rule}}}"
                copied.append(rule)
    site_css = site_dir / "assets" / "css" / "site.css"
    site_css.write_text(
        site_css.read_text(encoding="utf-8")
        + "\n/* Dark without JavaScript: generated by scripts/site/publish.py from the slate rules. */\n"
        + "@media (prefers-color-scheme: dark) {\n" + "\n".join(copied) + "\n}\n",
        encoding="utf-8",
    )


def _copy_tree(src: Path, dest: Path, ignore=None) -> None:
    if src.exists():
        shutil.copytree(src, dest, ignore=ignore, dirs_exist_ok=True)


def _publish_data(layout: Layout, stage: Path, dest: Path, site_url: str) -> None:
    """The Data Package as readers download it: descriptor (with the site as its homepage),
    sources, schemas, ledger, map shapes; every file a resource or a resource's schema."""
    for name in DATA_FILES:
        src = layout.data / name
        if src.is_dir():
            shutil.copytree(src, dest / name, dirs_exist_ok=True)
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    descriptor = json.loads((dest / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.pop("homepage", None)
    keys = list(descriptor)
    at = keys.index("version") + 1 if "version" in keys else len(keys)
    descriptor = {**dict(list(descriptor.items())[:at]), "homepage": site_url, **dict(list(descriptor.items())[at:])}
    (dest / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    from scripts.geo import KEY_FILE  # the build's record of how the shapes were made: not data

    _copy_tree(stage / "derived", dest / "derived", ignore=shutil.ignore_patterns(KEY_FILE))


# The 404 page is served at whatever address was not found, so its links cannot be relative to
# its own path. MkDocs makes them absolute to the configured address's path, which breaks when
# the site is served elsewhere (at the root of a local server, say). Here its links become
# relative to a <base> that a first script picks: the configured path when the address starts
# with it, else the server's root; a second script gives Material's configuration the same base.
BASE_SCRIPT = (
    '<script>(function(){{var p={path};document.write(\'<base href="\'+'
    '(location.pathname.indexOf(p)===0?p:"/")+\'">\')}})()</script>'
)
CONFIG_SCRIPT = (
    '<script>(function(){var c=document.getElementById("__config");if(!c)return;'
    'var o=JSON.parse(c.textContent);o.base=document.baseURI;'
    'if(o.search)o.search=new URL(o.search,document.baseURI).href;'
    'c.textContent=JSON.stringify(o)})()</script>'
)


def base_path_independent(html: str, site_url: str) -> str:
    from urllib.parse import urlsplit

    path = urlsplit(site_url).path or "/"
    html = re.sub(r'((?:href|src)=")' + re.escape(path), r"\1", html)
    html = html.replace('href=""', 'href="."')

    def config(match: re.Match) -> str:
        values = json.loads(match.group("json"))
        for key in ("base", "search"):
            if isinstance(values.get(key), str) and values[key].startswith(path):
                values[key] = values[key][len(path):] or "."
        return match.group("open") + json.dumps(values) + "</script>" + CONFIG_SCRIPT

    html = re.sub(r'(?P<open><script id="__config" type="application/json">)(?P<json>.*?)</script>', config, html,
                  count=1, flags=re.S)
    charset = re.search(r"<meta charset=[\"']?utf-8[\"']?>", html, re.I)
    if not charset:
        raise ValueError("404.html: no <meta charset> to put the <base> after")
    return html[: charset.end()] + "\n" + BASE_SCRIPT.format(path=json.dumps(path)) + html[charset.end():]


class ToolMissing(BuildError):
    """A tool the build runs is not installed."""


def _bundle_runtime(layout: Layout, out: Path) -> None:
    """Bundle vega + vega-interpreter + vega-tooltip with esbuild, cached by what makes the bundle:
    our entry module, the npm packages (esbuild's own version among them) and esbuild's options."""
    lock = layout.root / "package-lock.json"
    digest = cache.key(RUNTIME_ENTRY.read_text(encoding="utf-8"), lock.read_text(encoding="utf-8"), ESBUILD_OPTIONS)

    def bundle(path: Path) -> None:
        esbuild = layout.root / "node_modules" / ".bin" / "esbuild"
        if not esbuild.exists():
            raise ToolMissing("node_modules/.bin/esbuild is missing: run `npm ci` in the project folder "
                              "(`make site` does this)")
        subprocess.run([str(esbuild), str(RUNTIME_ENTRY), *ESBUILD_OPTIONS, f"--outfile={path}"],
                       check=True, cwd=layout.root)

    cached = cache.entry(layout.cache / "runtime", f"vega-runtime-{digest[:16]}.js", bundle)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(cached, out)


STYLE = re.compile(r"<style[^>]*>(?P<css>.*?)</style>\s*", re.S)
CLIPBOARD = re.compile(r"<clipboard-copy\b(?P<attrs>[^>]*)>")
NOTEBOOK_CSS = "assets/css/notebook-{digest}.css"


def _tidy_notebook(html: str, page: Path, site_dir: Path) -> str:
    """Make a notebook page that mkdocs-jupyter rendered valid HTML, keeping how it looks.

    - Its styles (JupyterLab's stylesheet, the code colours) come as <style> elements in the
      body, which HTML does not allow there; they move to one stylesheet linked at the same
      place, so Material's instant navigation, which swaps the body, still brings them along.
    - One of them is a Python list printed as text (a duplicate of the code colours); dropped.
    - The MathJax loader is a <script src=""> when no MathJax URL is set (we load none).
    - Its copy buttons carry an aria-label, allowed only with a role; the element takes
      role="button" when its script runs, so say so in the HTML. A stray comma in the
      template also turns into an attribute named ",".
    """
    if 'class="jupyter-wrapper"' not in html:
        return html
    head_end = html.index("</head>")
    body = html[head_end:]
    sheets = [m.group("css").strip() for m in STYLE.finditer(body)]
    sheets = [css for css in sheets if not css.startswith(("['", '["'))]
    if sheets:
        css = "\n".join(re.sub(r'^@charset "UTF-8";', "", css) for css in sheets)
        css = '@charset "UTF-8";\n' + css + "\n"
        name = NOTEBOOK_CSS.format(digest=hashlib.sha256(css.encode("utf-8")).hexdigest()[:12])
        (site_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / name).write_text(css, encoding="utf-8")
        href = os.path.relpath(site_dir / name, page.parent).replace(os.sep, "/")
        link = f'<link rel="stylesheet" href="{href}">\n'
        first = STYLE.search(body)
        body = body[: first.start()] + link + STYLE.sub("", body[first.start():])
    body = re.sub(r'<script src="">\s*</script>\s*', "", body)

    def button(match: re.Match) -> str:
        attrs = match.group("attrs").replace(' ,=""', "")
        if "role=" not in attrs:
            attrs = ' role="button"' + attrs
        return f"<clipboard-copy{attrs}>"

    body = CLIPBOARD.sub(button, body)
    return html[:head_end] + body


def _add_csp(page: Path, html: str) -> str:
    """Allow exactly the inline scripts the page carries, by hash; nothing else inline."""
    hashes = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if "src=" in attrs or ("type=" in attrs and "module" not in attrs and "javascript" not in attrs):
            continue  # external scripts are covered by 'self'; JSON data blocks never run
        digest = base64.b64encode(hashlib.sha256(match.group("body").encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    policy = CSP.format(hashes=" ".join(sorted(set(hashes)))).replace("  ", " ")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    # Right after the charset declaration, which must stay within the first 1024 bytes.
    charset = re.search(r"<meta charset=[\"']?utf-8[\"']?>", html, re.I)
    if not charset:
        raise ValueError(f"{page}: no <meta charset> to anchor the CSP after")
    return html[: charset.end()] + "\n" + meta + html[charset.end():]

