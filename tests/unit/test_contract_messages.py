"""A contract suite that fails says what the adapter should have done, and what it did."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BROKEN_TARGET = """
import pytest
import fieldsync as fs
from fieldsync.testing import FakeTarget
from fieldsync.testing.contract import TargetContract


class NoEmailField(FakeTarget):
    def schema(self):
        fields = super().schema().fields
        return fs.Schema(tuple(f for f in fields if f.type is not fs.FieldType.EMAIL))


class TestNoEmailField(TargetContract):
    @pytest.fixture
    def target(self):
        return NoEmailField()

    @pytest.fixture
    def list_key(self, target):
        target.create_list("list")
        return "list"
"""


def test_a_target_without_an_email_field_is_told_what_is_expected(tmp_path: Path) -> None:
    (tmp_path / "test_target.py").write_text(BROKEN_TARGET, encoding="utf-8")

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "email_field",
            "test_target.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "AssertionError: target.schema() should name its email field" in done.stdout
    assert "assert None is not None" in done.stdout  # and the values, as in a test module
