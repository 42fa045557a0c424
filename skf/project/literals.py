"""Constant values written in code: `5`, `-1`, `30 * 60`, `"interval"`, `True`, `None`."""

import ast
import operator
from collections.abc import Callable
from typing import Any

import libcst as cst


class _NotLiteral:
    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL: Any = _NotLiteral()
"""What `literal_value` returns for an expression that is not a constant."""

_BINARY: dict[type[cst.BaseBinaryOp], Callable[[Any, Any], Any]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Power: operator.pow,
}
_NAMES = {"True": True, "False": False, "None": None}


def literal_value(node: cst.BaseExpression) -> Any:
    """The constant `node` denotes, or NOT_LITERAL."""
    if isinstance(node, cst.Integer | cst.Float | cst.SimpleString | cst.ConcatenatedString):
        try:
            return ast.literal_eval(_code(node))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return NOT_LITERAL
    if isinstance(node, cst.Name):
        return _NAMES.get(node.value, NOT_LITERAL)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus | cst.Plus):
        inner = literal_value(node.expression)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner if isinstance(node.operator, cst.Minus) else inner
        return NOT_LITERAL
    if isinstance(node, cst.BinaryOperation):
        operation = _BINARY.get(type(node.operator))
        left, right = literal_value(node.left), literal_value(node.right)
        numbers = all(
            isinstance(value, int | float) and not isinstance(value, bool)
            for value in (left, right)
        )
        if operation is None or not numbers:
            return NOT_LITERAL
        if isinstance(node.operator, cst.Power) and abs(right) > 64:
            return NOT_LITERAL
        try:
            return operation(left, right)
        except (ArithmeticError, ValueError):
            return NOT_LITERAL
    return NOT_LITERAL


def string_value(node: cst.BaseExpression) -> str | None:
    value = literal_value(node)
    return value if isinstance(value, str) else None


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
