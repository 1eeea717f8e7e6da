import pytest


@pytest.fixture(scope="session")
def stack(embedded_stack):
    """The integration suite runs on the embedded stack (tests/conftest.py)."""
    return embedded_stack
