"""Deployment: the Pages workflow, the site's address as one setting, a 404 page that works
wherever it is served, and nothing published that the site does not declare."""

from __future__ import annotations

import http.server
import json
import mimetypes
import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from helpers import copy_project, tree_digest
from scripts import project
from scripts.build import build
from scripts.paths import ROOT, Layout, site_url

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
DEFAULT = site_url(ROOT)  # mkdocs.yml's address, the one a fork must never publish
DEFAULT_HOST = urlparse(DEFAULT).netloc
DEFAULT_PATH = urlparse(DEFAULT).path
FORK = "https://example.org/a-fork/"
VERSION_FILE = re.compile(r"charts/[a-z0-9-]+/v\d+/")
ROOT_ADDRESS = "https://fork.example/"


# The workflow -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_every_action_is_pinned_by_commit_with_its_tag_in_a_comment():
    uses = [line.strip() for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert len(uses) >= 5
    for line in uses:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*", line), line


def test_only_the_deploy_job_may_write_pages_or_mint_tokens(workflow):
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for name, job in jobs.items():
        if name != "deploy":
            assert set(job.get("permissions", {}).values()) <= {"read", "none"}, name
        assert 0 < job["timeout-minutes"] <= 90, name


def test_pull_requests_are_tested_but_never_deployed(workflow):
    on = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert "pull_request" in on and "push" in on
    steps = workflow["jobs"]["build"]["steps"]
    assert any(step.get("run") == "make test" and "if" not in step for step in steps)
    for step in steps:
        if "pages" in step.get("uses", "") or step.get("run") == "make site":
            assert step["if"] == "github.event_name != 'pull_request'", step
    assert workflow["jobs"]["deploy"]["if"] == "github.event_name != 'pull_request'"


def test_ci_and_the_workflow_install_the_same_way(workflow):
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "bash .ci/install" in runs
    assert "bash .ci/install" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = (ROOT / ".ci" / "install").read_text(encoding="utf-8")
    for package in ("chromium", "fonts-dejavu-core", "default-jre-headless", "git", "nodejs", "npm"):
        assert package in install, package
    # The checkout is trusted before anything asks git for the last commit's date.
    trust = next(i for i, run in enumerate(runs) if "safe.directory" in run)
    assert trust < runs.index("make test")
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
    # Keyed on every lock file the Makefile installs from.
    (locks,) = re.findall(r"^LOCKS := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    assert "requirements.lock" in locks.split()
    for lock in locks.split():
        assert f"'{lock}'" in cache["with"]["key"], lock
    # The address comes from the repository's Pages settings, through the environment.
    site = next(step for step in steps if step.get("run") == "make site")
    assert site["env"] == {"SITE_URL": "${{ steps.pages.outputs.base_url }}"}


# The site's address ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_elsewhere(tmp_path_factory) -> dict[str, Layout]:
    """The project built for a fork's project address and for an address at a host's root."""
    trees = {}
    for name, address in (("fork", FORK), ("root", ROOT_ADDRESS)):
        layout = copy_project(tmp_path_factory.mktemp(name) / "tree")
        layout = Layout(layout.root, address=address)
        build(layout)
        trees[name] = layout
    return trees


def published_texts(site: Path) -> Iterator[tuple[str, str]]:
    """Every file under site/ as text, zip members included (they are deflated)."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(site).as_posix()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{name}:{member}", archive.read(member).decode("utf-8", "replace")
        else:
            yield name, path.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("name,address", [("fork", FORK), ("root", ROOT_ADDRESS)])
def test_another_address_leaves_no_copy_of_the_default_one_in_the_site(built_elsewhere, name, address):
    layout = built_elsewhere[name]
    # The files of a chart version are the same bytes wherever the site is built: they carry the
    # project's own (canonical) address, by design; everything else carries the new one.
    found = [file for file, text in published_texts(layout.site)
             if (DEFAULT in text or DEFAULT_HOST in text) and not VERSION_FILE.match(file)]
    assert not found, found[:10]
    if name == "root":  # nor the default address's path, in links absolute to the server's root
        found = [file for file, text in published_texts(layout.site)
                 if re.search(r'(?:href|src)="' + re.escape(DEFAULT_PATH), text)]
        assert not found, found[:10]
    # Every copy of the address is the new one.
    home = (layout.site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{address}">' in home
    assert f'<meta property="og:image" content="{address}' in home
    assert f"<loc>{address}</loc>" in (layout.site / "sitemap.xml").read_text(encoding="utf-8")
    assert json.loads((layout.site / "data" / "datapackage.json").read_text(encoding="utf-8"))["homepage"] == address
    for spec_file in (layout.site / "charts").rglob("*.vl.json"):
        meta = json.loads(spec_file.read_text(encoding="utf-8"))["usermeta"]
        assert meta["url"] == DEFAULT + spec_file.relative_to(layout.site).as_posix()
        assert meta["page"].startswith(DEFAULT) and "#chart-" in meta["page"]
    first = json.loads((layout.charts / "index.json").read_text(encoding="utf-8"))[0]  # its page has the embed code
    chart = project.Chart.of(first)
    chart_page = (layout.site / chart.chart_page_url("") / "index.html").read_text(encoding="utf-8")
    assert chart.embed_url(address) in chart_page and f"{address}assets/js/embed-host.js" in chart_page


def test_committed_outputs_do_not_depend_on_the_address(built_elsewhere):
    for layout in built_elsewhere.values():
        for name in ("charts", "data/derived"):
            assert tree_digest(layout.root / name) == tree_digest(ROOT / name), name
    committed = "\n".join(text for _, text in published_texts(ROOT / "charts")) + "\n".join(
        text for _, text in published_texts(ROOT / "data"))
    assert DEFAULT not in committed and DEFAULT_HOST not in committed


def test_a_bad_address_stops_the_build_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scripts", "build", "--no-charts"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "SITE_URL": "example.org/no-scheme"}, timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("build stopped: SITE_URL: 'example.org/no-scheme' is not an absolute"), result.stderr
    assert "Traceback" not in result.stderr


# Only what the site declares ------------------------------------------------------------------


def test_theme_partials_are_not_published(built_site):
    assert not (built_site.site / "partials").exists()
    overrides = ROOT / "scripts" / "site" / "overrides"
    published = {path.relative_to(built_site.site).as_posix() for path in built_site.site.rglob("*") if path.is_file()}
    for path in overrides.rglob("*"):
        if path.is_file() and path.suffix != ".html":  # templates are rendered, never copied
            pytest.fail(f"{path.relative_to(ROOT)} would be copied into site/ as it is")
    assert not any(name.startswith("partials/") for name in published)


# The 404 page, served as GitHub Pages serves it ----------------------------------------------------


def pages_server(site: Path, prefix: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve site/ under prefix; anything else answers 404 with site/404.html, as Pages does."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            target = None
            if path.startswith(prefix):
                candidate = site / path[len(prefix):]
                candidate = candidate / "index.html" if candidate.is_dir() else candidate
                if candidate.is_file() and site.resolve() in candidate.resolve().parents:
                    target = candidate
            status = 200 if target else 404
            target = target or site / "404.html"
            body = target.read_bytes()
            self.send_response(status)
            self.send_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.browser
@pytest.mark.parametrize("served_at", [urlparse(FORK).path, "/"])
def test_the_404_page_works_at_its_address_and_at_a_servers_root(browser, built_elsewhere, served_at):
    server, origin = pages_server(built_elsewhere["fork"].site, served_at)
    try:
        page = browser.new_page()
        failed, errors = [], []
        missing = f"{origin}{served_at}no/such/page/"
        page.on("response", lambda r: r.status >= 400 and r.url != missing and failed.append(f"{r.url} {r.status}"))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        page.on("pageerror", lambda e: errors.append(str(e)))
        response = page.goto(missing, wait_until="load")
        assert response.status == 404
        assert not failed, failed
        assert not errors, errors
        # Material's stylesheet applied, its script ran, and the way home is the site's root.
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
        assert page.evaluate("document.documentElement.classList.contains('js')")
        home = page.evaluate("document.querySelector('a.md-header__button.md-logo').href")
        assert home == f"{origin}{served_at}"
        page.goto(home, wait_until="load")
        assert page.title().startswith("Beyond the Caliphate")
        page.close()
    finally:
        server.shutdown()
