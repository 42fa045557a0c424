"""What a test needs from the machine (a PostgreSQL server, a browser). Missing locally, the
test skips and says why; under CI=true it fails: CI must never pass by skipping."""

import os
from typing import NoReturn

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(message: str) -> NoReturn:
    """Skip with `message`, or fail with it under CI=true."""
    if under_ci():
        pytest.fail(f"{message} (CI=true: this test must run)", pytrace=False)
    pytest.skip(message)
