"""Errors a maintainer can act on: the command line prints their message, not a traceback.

Kept free of heavy imports so the command line can catch them before loading pandas or Altair.
"""


class BuildError(Exception):
    """A problem in the inputs (data, chart definitions, versions) that stops the build."""
