"""What a generator answer may be: every answer reaches the template as a validated identifier
or a plain value, so no answer can steer the Jinja rendering or the code it produces.

Each check returns the value (normalised) or raises UsageError with a one-line reason naming
the answer.
"""

import builtins
import keyword
import re

from skf.errors import UsageError

SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
CLASS = re.compile(r"^[A-Z][A-Za-z0-9]*$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
STATUS_VALUE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_ -]*[A-Za-z0-9_])?$")
SUMMARY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,;:()/'._-]*$")
WORDS = re.compile(r"^[a-z][a-z0-9]*(?: [a-z0-9]+)*$")

# Longest names the template lays out within 100 columns (a property test renders them all at
# these lengths); PostgreSQL cuts identifiers at 63 bytes.
MAX_SERVICE = 30
MAX_NAME = 32
MAX_FUNCTION = 48
MAX_STATUS = 32
MAX_SUMMARY = 80
MAX_SQL_NAME = 63

_BUILTINS = frozenset(dir(builtins))


def _fail(answer: str, value: object, why: str) -> UsageError:
    return UsageError(f"{answer} {value!r}: {why}")


def _not_reserved(answer: str, value: str, *, module_level: bool) -> str:
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise _fail(answer, value, "is a Python keyword")
    if module_level and value in _BUILTINS:
        raise _fail(answer, value, "would shadow the Python builtin of that name")
    return value


def _plain(answer: str, value: object) -> str:
    if not isinstance(value, str):
        raise _fail(answer, value, "must be a string")
    if "/" in value or "\\" in value or ".." in value:
        raise _fail(answer, value, "must not contain path separators or '..'")
    return value


def snake_name(
    answer: str, value: object, *, max_length: int = MAX_NAME, module_level: bool = False
) -> str:
    """A snake_case identifier: `sitemap_scanner`."""
    text = _plain(answer, value)
    if not SNAKE.match(text):
        raise _fail(answer, text, "must be a snake_case Python identifier (e.g. sitemap_scanner)")
    if len(text) > max_length:
        raise _fail(answer, text, f"must be at most {max_length} characters")
    return _not_reserved(answer, text, module_level=module_level)


def class_name(answer: str, value: object) -> str:
    """A CamelCase class name with at least one lowercase letter: `Widget`, `EmailMessage`."""
    text = _plain(answer, value)
    if not CLASS.match(text) or text.isupper():
        raise _fail(answer, text, "must be a CamelCase class name (e.g. Widget)")
    if len(text) > MAX_NAME:
        raise _fail(answer, text, f"must be at most {MAX_NAME} characters")
    return _not_reserved(answer, text, module_level=True)


def identifier(answer: str, value: object, *, max_length: int = MAX_NAME) -> str:
    """Any Python identifier that is not a keyword (enum members, attributes)."""
    text = _plain(answer, value)
    if not IDENTIFIER.match(text):
        raise _fail(answer, text, "must be a Python identifier")
    if len(text) > max_length:
        raise _fail(answer, text, f"must be at most {max_length} characters")
    return _not_reserved(answer, text, module_level=False)


def constant_name(answer: str, value: object) -> str:
    """An UPPER_CASE module constant: `SITEMAP_SCANNER_QUEUE`."""
    text = _plain(answer, value)
    if not re.match(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$", text) or len(text) > MAX_NAME + 8:
        raise _fail(answer, text, "must be an UPPER_CASE identifier of at most 40 characters")
    return text


def dotted_module(answer: str, value: object) -> str:
    """An absolute import name: `src.models.domain`."""
    text = _plain(answer, value)
    for part in text.split("."):
        if not IDENTIFIER.match(part) or keyword.iskeyword(part):
            raise _fail(answer, text, "must be an import name such as src.models.domain")
    if len(text) > 64:
        raise _fail(answer, text, "must be at most 64 characters")
    return text


def status_value(answer: str, value: object) -> str:
    """A status as stored: letters, digits, spaces, `_` and `-` (`Queued`, `Not a Fit`)."""
    if not isinstance(value, str) or not STATUS_VALUE.match(value):
        raise _fail(
            answer, value, "must be letters, digits, spaces, '_' or '-' (e.g. Queued, Not a Fit)"
        )
    if len(value) > MAX_STATUS:
        raise _fail(answer, value, f"must be at most {MAX_STATUS} characters")
    return value


def member_for_value(value: str) -> str:
    """The enum member name a new status value gets: `Not a Fit` -> `Not_a_Fit`."""
    member = re.sub(r"[ -]", "_", value)
    if not IDENTIFIER.match(member) or keyword.iskeyword(member):
        raise UsageError(f"status {value!r} cannot name an enum member; start it with a letter")
    return member


def summary_text(answer: str, value: object) -> str:
    """One sentence for the docstring and the docs (no quotes, backslashes or newlines)."""
    if not isinstance(value, str) or not SUMMARY.match(value):
        raise _fail(answer, value, "must be letters, digits, spaces and , ; : ( ) / ' . _ - only")
    if len(value) > MAX_SUMMARY:
        raise _fail(answer, value, f"must be at most {MAX_SUMMARY} characters")
    return value


def words(answer: str, value: object) -> str:
    """Lowercase words naming what one row is: `email message`."""
    if not isinstance(value, str) or not WORDS.match(value) or len(value) > MAX_NAME:
        raise _fail(answer, value, "must be lowercase words (e.g. email message)")
    return value


def sql_name(answer: str, value: str) -> str:
    if len(value) > MAX_SQL_NAME:
        raise _fail(answer, value, f"is longer than PostgreSQL's {MAX_SQL_NAME} characters")
    return value


def snake_case(class_name: str) -> str:
    """`EmailMessage` -> `email_message`, `HTTPCheck` -> `http_check`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name)
    return spaced.lower()
