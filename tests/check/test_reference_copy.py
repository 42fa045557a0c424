"""The rules' VALID examples show the reference service as example_service has it.

`skf/check/rules/_reference.py` keeps the service's code next to the rules (Fixit style, and
`skf rules explain` prints it), with shorter docstrings; everything else must stay what the
reference service really is, or the docs would recommend code nobody runs.
"""

import ast

from example_hosts import EXAMPLE

from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE


def without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        ):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def test_the_examples_reference_service_is_example_services_code() -> None:
    real = (EXAMPLE / SERVICE).read_text()
    assert without_docstrings(REFERENCE_SERVICE) == without_docstrings(real)
