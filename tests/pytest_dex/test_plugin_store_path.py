"""A store path no store can be written to stops the run before any test."""

from __future__ import annotations

import sys

import pytest

EMPTY_TEST = "def test_nothing():\n    pass\n"

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="uses /dev/null"
)


def test_a_file_as_store_path_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(EMPTY_TEST)
    (pytester.path / "myflow.py").write_text("x = 1\n")

    result = pytester.runpytest("--dex-store=filesystem", "--dex-store-path=myflow.py")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: dex: invalid store path 'myflow.py' (from --dex-store-path); "
            f"cannot use {pytester.path / 'myflow.py'} as a dex store: it is a "
            "file, not a directory; point it at a dex store, an empty directory "
            "or one dex can create"
        ]
    )
    assert "Traceback" not in result.stderr.str()


@linux_only
def test_a_path_under_a_file_from_the_environment_names_the_variable(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "FileSystem ")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", "/dev/null/x")
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: dex: invalid store path '/dev/null/x' (from "
            "AWS_DEX_STORE_PATH); cannot use /dev/null/x as a dex store: "
            "/dev/null is a file, not a directory; *"
        ]
    )


def test_a_folder_of_other_files_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(EMPTY_TEST)
    (pytester.path / "photos").mkdir()
    (pytester.path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")

    result = pytester.runpytest("--dex-store=filesystem", "--dex-store-path=photos")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: dex: invalid store path 'photos' (from --dex-store-path); "
            f"{pytester.path / 'photos'} is not a dex store and not empty (it "
            "holds cat.jpg); *"
        ]
    )


def test_a_good_store_path_is_checked_without_being_created(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest(
        "--dex-store=filesystem", "--dex-store-path=not/made/yet"
    )

    result.assert_outcomes(passed=1)
    assert not (pytester.path / "not").exists()
    assert not [p for p in pytester.path.iterdir() if p.name.startswith(".dex")]
