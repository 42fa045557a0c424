"""Status values as code writes them: members that do not exist, and string literals, judged
against the enum and the column's stored form. Shared by SKF122, SKF132 and SKF204 so that
one wrong spelling gives exactly one of them."""

from dataclasses import dataclass
from typing import Literal

from skf.project.inventory import Service
from skf.project.models import ColumnInfo, EnumInfo
from skf.project.semantics import MemberRef
from skf.project.statuses import LiteralStatus
from skf.vocabulary import role_of_spelling

Verdict = Literal["member", "stored-form", "other-form", "unknown"]


@dataclass(frozen=True)
class LiteralVerdict:
    literal: LiteralStatus
    enum: EnumInfo | None
    column: ColumnInfo | None
    verdict: Verdict
    """`stored-form`: the literal is what the column stores (use the member instead);
    `other-form`: a member's name where values are stored, or a value where names are;
    `unknown`: neither a name nor a value of the enum."""
    member: str | None


def judge_literal(service: Service, literal: LiteralStatus) -> LiteralVerdict:
    column = literal.column.column if literal.column is not None else None
    if column is None and service.claim is not None:
        column = service.claim.column
    enum = column.enum if column is not None and column.enum is not None else service.status_enum
    if enum is None:
        return LiteralVerdict(literal, None, column, "stored-form", None)
    names = {name: name for name in enum.members}
    values = {str(v): name for name, v in enum.members.items() if v is not None}
    stored = column.stored_as if column is not None else None
    if column is not None and column.plain_string:
        stored = "values" if _str_enum(enum) else "names"
    text = literal.value
    if stored == "names":
        if text in names:
            return LiteralVerdict(literal, enum, column, "stored-form", text)
        if text in values:
            return LiteralVerdict(literal, enum, column, "other-form", values[text])
    else:
        if text in values:
            return LiteralVerdict(literal, enum, column, "stored-form", values[text])
        if text in names:
            return LiteralVerdict(literal, enum, column, "other-form", text)
    return LiteralVerdict(literal, enum, column, "unknown", None)


def _str_enum(enum: EnumInfo) -> bool:
    return all(isinstance(v, str) for v in enum.members.values())


def unknown_members(service: Service) -> list[MemberRef]:
    """`Enum.Member` references, in the service's modules and on its path, to members the
    enum does not have (each written place once)."""
    seen: set[tuple[str, int]] = set()
    found: list[MemberRef] = []
    direct = [use.ref for use in service.written_members]
    direct += [use.ref for use in service.uses if use.direct]
    for ref in direct:
        key = (ref.source.path, id(ref.node))
        if ref.exists or key in seen:
            continue
        seen.add(key)
        found.append(ref)
    return found


def suggestion(enum: EnumInfo, spelling: str) -> str | None:
    """The member a wrong spelling most likely meant."""
    role = role_of_spelling(spelling)
    if role is None:
        lowered = spelling.lower()
        return next((m for m in enum.members if m.lower() == lowered), None)
    return next(
        (
            name
            for name, value in enum.members.items()
            if role_of_spelling(name) is role or role_of_spelling(str(value)) is role
        ),
        None,
    )
