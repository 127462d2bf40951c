"""Command line: ``python -m scripts {build,validate,ledger}``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from scripts.errors import BuildError

TRACEBACK_ENV = "BTC_TRACEBACK"  # set to see the traceback of an internal error


def main(argv: list[str] | None = None, *, root: Path | None = None) -> int:
    """Run one command; return the exit status. ``root`` is the project to build (the tests pass a
    copy); by default, the checkout this code lives in."""
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="validate data, compute the ledger, draw charts, build the site")
    build.add_argument("--no-site", action="store_true", help="stop after the charts")
    build.add_argument("--no-charts", action="store_true", help="stop after the ledger (implies --no-site)")
    build.add_argument("--timings", action="store_true", help="print how long each step took")
    build.add_argument("--force", action="store_true", help="rebuild even if no input changed")
    commands.add_parser("validate", help="check the data package and stop")
    args = parser.parse_args(argv)
    # MkDocs reports problems (strict-mode warnings included) through logging.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        from scripts.paths import ROOT, SITE_URL_ENV, Layout, normalize_site_url

        root = ROOT if root is None else root

        if args.command == "validate":
            from scripts.validate import validate

            tables = validate(Layout(root).data)
            print(f"data package valid: {len(tables)} tables")
            return 0
        from scripts.build import Timings, build as run_build

        # The site's address: read here, once, and carried by the layout to every copy of it.
        address = os.environ.get(SITE_URL_ENV, "").strip() or None
        if address is not None:
            try:
                address = normalize_site_url(address)
            except ValueError as err:
                raise BuildError(f"{SITE_URL_ENV}: {err}") from None
        _check_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH", ""))
        timings = Timings()
        summary = run_build(Layout(root, address=address), charts=not args.no_charts,
                            site=not (args.no_site or args.no_charts), force=args.force, timings=timings)
    except BuildError as err:
        print(f"build stopped: {err}", file=sys.stderr)
        return 1
    except Exception as err:
        # MkDocs reports a failed site build (strict-mode warnings included) with its own
        # exceptions; they are checked by module so that a no-op build never imports MkDocs.
        if type(err).__module__.startswith("mkdocs"):
            print(f"build stopped: the site did not build ({err}); see the messages above", file=sys.stderr)
            return 1
        # Every input problem is a BuildError; anything else is a fault in the build's own code.
        if os.environ.get(TRACEBACK_ENV):
            raise
        print(f"build failed: internal error, not a problem in the inputs: {type(err).__name__}: {err}\n"
              f"  (set {TRACEBACK_ENV}=1 for the traceback, and please report it)", file=sys.stderr)
        return 2
    print(f"build ok: {summary}")
    if args.timings:
        for name, seconds in timings.items():
            print(f"  {name:<28} {seconds:6.2f} s")
    return 0


# The last day a four-digit year can print: a later date cannot be written on the pages.
LATEST_EPOCH = 253402300799


def _check_source_date_epoch(value: str) -> None:
    """SOURCE_DATE_EPOCH (the date the pages print, for reproducible builds) must be a date."""
    if value and not (value.isascii() and value.isdigit() and int(value) <= LATEST_EPOCH):
        raise BuildError(f"SOURCE_DATE_EPOCH: {value!r} is not a time in whole seconds since 1970-01-01 "
                         "(unset it to print the date of the last commit)")
