"""Parenthesized one-per-line lists (an import's names, a tuple's elements): the indentation
they use, and the comma that starts a new line at it."""

import libcst as cst


def line_break_comma(
    after_opening: cst.BaseParenthesizableWhitespace | None,
) -> tuple[cst.SimpleWhitespace, cst.Comma]:
    """The list's indentation, read from the whitespace after its opening parenthesis (four
    spaces when that is not a line break), and a comma followed by a line break at it that
    carries nobody's comment."""
    indent = cst.SimpleWhitespace("    ")
    if isinstance(after_opening, cst.ParenthesizedWhitespace):
        indent = after_opening.last_line
    comma = cst.Comma(
        whitespace_after=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=True, last_line=indent
        )
    )
    return indent, comma
