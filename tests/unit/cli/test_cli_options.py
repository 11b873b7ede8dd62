"""The command's global options and spellings: --version, python -m fieldsync, and the
disclaimer flag named like the API's acknowledge_disclaimer."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

import fieldsync
from fieldsync.cli import _parser, main


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert (0, f"fieldsync {fieldsync.__version__}\n") == (
        exited.value.code,
        capsys.readouterr().out,
    )


def test_the_version_has_one_source() -> None:
    assert version("fieldsync") == fieldsync.__version__


def test_python_dash_m_fieldsync_is_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fieldsync", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert (0, f"fieldsync {fieldsync.__version__}\n") == (done.returncode, done.stdout)


def test_acknowledge_disclaimer_is_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["initiate", "Customers", "--acknowledge-disclaimer"])

    assert (True, "") == (args.accept_disclaimer, capsys.readouterr().err)


def test_the_old_accept_disclaimer_still_works_and_says_it_is_deprecated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = _parser().parse_args(["initiate", "Customers", "--accept-disclaimer"])

    assert args.accept_disclaimer
    assert "--accept-disclaimer is deprecated; use --acknowledge-disclaimer" in (
        capsys.readouterr().err
    )


def test_without_the_flag_the_disclaimer_is_not_acknowledged() -> None:
    assert not _parser().parse_args(["initiate", "Customers"]).accept_disclaimer
