"""The sweep's fixtures live in sweep.py (importable by the tests, unlike a conftest)."""

from tests.security.sweep import attacker, unchanged, victim

__all__ = ["attacker", "unchanged", "victim"]
