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
MAX_ENUM_TYPE = 40

# A new model's class names what is derived from it, each within its own limit: the status
# enum `<Class>Status` (MAX_NAME), and from its snake_case form the table `<snake>s`
# (MAX_NAME), the enum type `<snake>_status` (MAX_ENUM_TYPE), the handler `handle_<snake>`
# and the job `process_pending_<table>` (MAX_FUNCTION). So the class is limited to what lets
# every one of them fit, and nothing derived from a valid class is ever refused.
MAX_MODEL_CLASS = MAX_NAME - len("Status")
MAX_MODEL_SNAKE = MAX_NAME - len("s")

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


def model_class(answer: str, value: object) -> str:
    """A new model's class: a class name short enough for every name derived from it
    (`derived_from_class`), each of which is then valid."""
    text = class_name(answer, value)
    if len(text) > MAX_MODEL_CLASS:
        raise _fail(
            answer,
            text,
            f"must be at most {MAX_MODEL_CLASS} characters (its status enum, {text}Status, "
            f"must fit in {MAX_NAME})",
        )
    snake = snake_case(text)
    if len(snake) > MAX_MODEL_SNAKE:
        raise _fail(
            answer,
            text,
            f"its snake_case form {snake!r} (which names the table, the module and the enum "
            f"type) must be at most {MAX_MODEL_SNAKE} characters",
        )
    derived = derived_from_class(text)
    try:
        class_name("status_enum", derived["status_enum"])
        dotted_module("model module", derived["module"])
        snake_name("table", derived["table"])
        snake_name("enum_type_name", derived["enum_type_name"], max_length=MAX_ENUM_TYPE)
        words("entity", derived["entity"])
        snake_name(
            "handler_function",
            derived["handler_function"],
            max_length=MAX_FUNCTION,
            module_level=True,
        )
    except UsageError as error:
        raise _fail(answer, text, f"a name derived from it is refused ({error})") from None
    return text


def derived_from_class(model_class: str) -> dict[str, str]:
    """The names a model's class gives the answers not given (the one place for them; a new
    model's module is `module` in the models package)."""
    snake = snake_case(model_class)
    return {
        "module": snake,
        "status_enum": f"{model_class}Status",
        "table": f"{snake}s",
        "enum_type_name": f"{snake}_status",
        # An existing model's class may be longer than a new one's: its entity and handler
        # keep the last words that fit (a new model's always fit whole).
        "entity": fit_words(snake.replace("_", " "), " ", MAX_NAME),
        "handler_function": "handle_" + fit_words(snake, "_", MAX_FUNCTION - len("handle_")),
    }


def fit_words(name: str, separator: str, max_length: int) -> str:
    """`name`'s last words (split at `separator`) that fit in `max_length`: a name derived
    from a long class is shortened from the front, keeping the words that say what it is
    (`customer_subscription_renewal` -> `subscription_renewal`). Deterministic; a single
    word that is too long is returned as it is (its validation then says so)."""
    parts = name.split(separator)
    while len(parts) > 1 and len(separator.join(parts)) > max_length:
        parts = parts[1:]
    return separator.join(parts)


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
    if not isinstance(value, str) or not WORDS.match(value):
        raise _fail(answer, value, "must be lowercase words (e.g. email message)")
    if len(value) > MAX_NAME:
        raise _fail(answer, value, f"must be at most {MAX_NAME} characters")
    return value


def snake_case(class_name: str) -> str:
    """`EmailMessage` -> `email_message`, `HTTPCheck` -> `http_check`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name)
    return spaced.lower()
