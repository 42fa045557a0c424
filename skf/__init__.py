"""skf: generate and check status-driven background services."""

__version__ = "0.1.0"
