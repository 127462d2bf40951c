"""Command line: ``python -m scripts {build,validate,ledger}``."""

from __future__ import annotations

import argparse
import logging
import sys

from mkdocs.exceptions import MkDocsException

from scripts.datapackage import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="validate data, compute the ledger, draw charts, build the site")
    build.add_argument("--no-site", action="store_true", help="stop after the charts")
    build.add_argument("--no-charts", action="store_true", help="stop after the ledger (implies --no-site)")
    commands.add_parser("validate", help="check the data package and stop")
    args = parser.parse_args(argv)
    # MkDocs reports problems (strict-mode warnings included) through logging.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        if args.command == "validate":
            from scripts.validate import validate

            tables = validate()
            print(f"data package valid: {len(tables)} tables")
            return 0
        from scripts.build import build as run_build

        summary = run_build(charts=not args.no_charts, site=not (args.no_site or args.no_charts))
    except DataError as err:
        print(f"build stopped: {err}", file=sys.stderr)
        return 1
    except (MkDocsException, SystemExit) as err:
        print(f"build stopped: the site did not build ({err}); see the messages above", file=sys.stderr)
        return 1
    print(f"build ok: {summary}")
    return 0
