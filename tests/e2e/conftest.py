"""Fixtures for the browser tests beyond tests/conftest.py's dev server."""

from tests.prod_app import prod_app, pytest_terminal_summary

__all__ = ["prod_app", "pytest_terminal_summary"]
