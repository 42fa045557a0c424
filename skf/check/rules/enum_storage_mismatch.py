"""SKF204 enum-storage-mismatch: the status column stores what the code writes."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import MODEL, REFERENCE_SERVICE, SERVICE, line_of
from skf.check.rules._statuses import judge_literal
from skf.project.inventory import Inventory, Service, models_in_package
from skf.project.models import ColumnInfo, EnumInfo, ModelInfo

_MODEL_STRING = '''\
"""Outgoing email messages, sent by the email_sender background service."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from src.models.base import Base
from src.status_queue import UtcDateTime, utcnow


class EmailStatus(enum.Enum):
    Queued = "Queued"
    Processing = "Processing"
    Completed = "Completed"
    Error = "Error"


class EmailMessage(Base):
    __tablename__ = "email_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EmailStatus] = mapped_column(String(20), default=EmailStatus.Queued)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claim_token: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
'''
_MODEL_VALID = _MODEL_STRING.replace(
    "    status: Mapped[EmailStatus] = mapped_column(String(20), default=EmailStatus.Queued)\n",
    "    status: Mapped[EmailStatus] = mapped_column(\n"
    '        status_enum(EmailStatus, "email_status"), default=EmailStatus.Queued\n'
    "    )\n",
).replace(
    "from src.status_queue import UtcDateTime, utcnow\n",
    "from src.status_queue import UtcDateTime, status_enum, utcnow\n",
)


class EnumStorageMismatch(Rule):
    code = "SKF204"
    name = "enum-storage-mismatch"
    checklist_item: ClassVar[int | None] = None
    summary = "The status column's stored form (names or values, enum or string) matches the code."
    what_it_does = (
        "Compares how the model maps the status column (a SQLAlchemy `Enum` storing member "
        "names unless `values_callable` is given, native or not; or a plain `String`) with "
        "how the service writes and compares statuses: enum members of a non-str enum "
        "written into a `String` column, a string (or `.value` / `.name`) in the form the "
        "column does not store, or the same database enum type (`name=`) mapped by another "
        "model as native where this one is not (or as names where this one stores values)."
    )
    why_is_this_bad = (
        "The database holds one spelling and the code uses another: comparisons match "
        "nothing, inserts fail ('invalid input value for enum'), or a String column ends up "
        "holding `EmailStatus.Queued`. REAL_WORLD: `Not_a_Fit` written where the stored "
        "value was `Not a Fit`; a model mapping the column as String while the job wrote "
        "enum values."
    )
    VALID = (Example(files={MODEL: _MODEL_VALID, SERVICE: REFERENCE_SERVICE}, focus=MODEL),)
    INVALID = (
        Example(
            files={MODEL: _MODEL_STRING, SERVICE: REFERENCE_SERVICE},
            focus=MODEL,
            expected_lines=(line_of(_MODEL_STRING, "status: Mapped[EmailStatus]"),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            yield from self._column(inventory, service)
            for literal in service.literals:
                verdict = judge_literal(service, literal)
                if verdict.verdict != "other-form" or verdict.enum is None:
                    continue
                stored = verdict.column.stored_as if verdict.column is not None else "values"
                yield self.at(
                    f"{literal.value!r} is the {_other(stored)} of "
                    f"`{verdict.enum.name}.{verdict.member}`, but the column stores {stored}: "
                    f"compare and write the member itself",
                    literal.source,
                    literal.node,
                    service=service.name,
                    symbol=f"stored:{literal.value}",
                )

    def _column(self, inventory: Inventory, service: Service) -> Iterator[Finding]:
        claim = service.claim
        if claim is None or claim.model is None or claim.column is None:
            return
        column = claim.column
        clash = _shared_type_clash(inventory, claim.model, column)
        if clash is not None:
            yield self.finding(
                clash,
                claim.model.path,
                (column.line, 1, column.line, 1),
                service=service.name,
                symbol=f"{claim.model.name}.{claim.attribute}:type",
            )
            return
        members = [m for m in claim.monitored if m.exists]
        enum = column.enum or (members[0].enum if members else None)
        if enum is None or _str_valued(inventory, enum):
            return
        if column.plain_string or (column.enum is None and members):
            yield self.finding(
                f"{claim.model.name}.{claim.attribute} is mapped as a string column, but "
                f"{service.name} stores {enum.name} members in it (not str-valued): map it "
                f"with an Enum type",
                claim.model.path,
                (column.line, 1, column.line, 1),
                service=service.name,
                symbol=f"{claim.model.name}.{claim.attribute}",
            )


def _form(column: ColumnInfo) -> str:
    native = "a native enum" if column.native else "a VARCHAR (native_enum=False)"
    return f"{native} storing member {column.stored_as}"


def _shared_type_clash(inventory: Inventory, model: ModelInfo, column: ColumnInfo) -> str | None:
    """Another mapping of the same database enum type (`name=`) that stores it differently:
    the database has one type, so one of the two disagrees with it."""
    if column.type_name is None or column.enum is None:
        return None
    for other in models_in_package(inventory):
        for attribute, candidate in other.columns.items():
            if candidate is column or candidate.type_name != column.type_name:
                continue
            if candidate.enum is None or other.qualified_name == model.qualified_name:
                continue
            if (candidate.native, candidate.stored_as) != (column.native, column.stored_as):
                return (
                    f"{model.name} maps the enum type `{column.type_name}` as {_form(column)}, "
                    f"but {other.name}.{attribute} maps it as {_form(candidate)}: the database "
                    "has one type, so comparisons or writes through one of them fail"
                )
    return None


def _other(stored: str | None) -> str:
    return "value" if stored == "names" else "name"


def _str_valued(inventory: Inventory, enum: EnumInfo) -> bool:
    """A str-mixin enum's members are strings: a String column stores their values fine."""
    definition = inventory.resolver.definition(enum.qualified_name)
    if definition is None or not isinstance(definition.node, cst.ClassDef):
        return False
    source = definition.source
    for base in definition.node.bases:
        names = source.qualified_names(base.value) | {source.code(base.value)}
        if names & {"str", "builtins.str", "enum.StrEnum", "StrEnum"}:
            return True
    return False
