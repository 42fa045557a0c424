"""What a test needs from the machine (a PostgreSQL server, a browser). Missing locally, the
test skips and says why; under CI=true it fails: CI must never pass by skipping."""

import os
import socket
from typing import NoReturn

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def reachable(host: str, port: int) -> bool:
    """Whether a server accepts connections at `host`:`port` (within 2 s)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def unavailable(message: str) -> NoReturn:
    """Skip with `message`, or fail with it under CI=true."""
    if under_ci():
        pytest.fail(f"{message} (CI=true: this test must run)", pytrace=False)
    pytest.skip(message)
