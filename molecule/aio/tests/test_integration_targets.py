"""This scenario's integration targets: molecule/shared/tests/integration_targets.py."""

from integration_targets import target_runs, target_vars, test_target

# What pytest must find here.
__all__ = ["target_runs", "target_vars", "test_target"]
