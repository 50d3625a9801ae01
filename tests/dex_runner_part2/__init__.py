"""Tests of the runner, part 2 (issue 4)."""
