"""The errors skf reports to users.

Library code raises `SkfError` (or a subclass) with a one-line message; the CLI converts it,
at one boundary (`skf.cli.main`), into that line on stderr and exit code 2. Anything else
escaping is a bug in skf and keeps its traceback.
"""


class SkfError(Exception):
    """A problem with the user's input, configuration or project: one line, exit code 2."""

    exit_code = 2


class ConfigError(SkfError):
    """`[tool.skf]` (or another configuration source) is invalid."""


class UsageError(SkfError):
    """The command was asked for something that cannot be done as asked."""


class ProjectError(SkfError):
    """The host project cannot be read or patched safely (unreadable file, missing anchor)."""


class ConflictError(SkfError):
    """A file changed on disk between computing a change and applying it."""
