"""Run-wide settings: CLI over environment over ini over default; usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_dex import DexMode, DexSettings
from pytest_dex._settings import settings_from_dict, settings_to_dict

EMPTY_TEST = "def test_nothing():\n    pass\n"


def test_default_header_shows_local_mode_and_memory_store(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest()

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["dex: mode local, store memory (from default)"])


def test_ini_sets_the_store_and_its_path(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ndex_store = filesystem\ndex_store_path = from-ini\n")
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest()

    result.stdout.fnmatch_lines(
        [
            f"dex: mode local, store filesystem at {pytester.path}/from-ini "
            "(from ini dex_store)"
        ]
    )


def test_environment_beats_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\ndex_store = memory\ndex_store_path = from-ini\n")
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "filesystem")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", "from-env")
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest()

    result.stdout.fnmatch_lines(
        [
            f"dex: mode local, store filesystem at {pytester.path}/from-env "
            "(from AWS_DEX_STORE_TYPE)"
        ]
    )


def test_command_line_beats_environment_and_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\ndex_store = memory\ndex_store_path = from-ini\n")
    monkeypatch.setenv("AWS_DEX_STORE_TYPE", "memory")
    monkeypatch.setenv("AWS_DEX_STORE_PATH", "from-env")
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest(
        "--dex-store", "filesystem", "--dex-store-path", "from-cli"
    )

    result.stdout.fnmatch_lines(
        [
            f"dex: mode local, store filesystem at {pytester.path}/from-cli "
            "(from --dex-store)"
        ]
    )


def test_relative_store_path_is_taken_from_the_invocation_directory(
    pytester: pytest.Pytester,
) -> None:
    sub = pytester.mkdir("sub")
    pytester.makeini("[pytest]\ndex_store = filesystem\n")
    pytester.makepyfile(EMPTY_TEST)

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sub)
        result = pytester.runpytest(str(pytester.path), "--dex-store-path", "rel")

    result.stdout.fnmatch_lines([f"dex: * store filesystem at {sub}/rel *"])


def test_absolute_store_path_is_kept(pytester: pytest.Pytester) -> None:
    target = pytester.path / "abs" / "dir"
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest("--dex-store=filesystem", f"--dex-store-path={target}")

    result.stdout.fnmatch_lines([f"dex: * store filesystem at {target} *"])


def test_cloud_mode_header_shows_region_and_endpoint(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    pytester.makeini("[pytest]\ndex_mode = cloud\n")
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest("--dex-endpoint", "http://127.0.0.1:9014")

    result.stdout.fnmatch_lines(
        [
            "dex: mode cloud, region eu-west-1, endpoint http://127.0.0.1:9014, "
            "store memory (from default)"
        ]
    )


@pytest.mark.parametrize(
    ("args", "env", "ini", "message"),
    [
        (
            ["--dex-mode", "clod"],
            {},
            "",
            "ERROR: dex: invalid mode 'clod' (from --dex-mode); "
            "valid modes: local, cloud",
        ),
        (
            [],
            {"AWS_DEX_MODE": "remote"},
            "",
            "ERROR: dex: invalid mode 'remote' (from AWS_DEX_MODE); "
            "valid modes: local, cloud",
        ),
        (
            ["--dex-store", "sqlite"],
            {},
            "",
            "ERROR: dex: invalid store 'sqlite' (from --dex-store); "
            "installed stores: filesystem, memory",
        ),
        (
            [],
            {"AWS_DEX_STORE_TYPE": "redis"},
            "",
            "ERROR: dex: invalid store 'redis' (from AWS_DEX_STORE_TYPE); "
            "installed stores: filesystem, memory",
        ),
        (
            [],
            {},
            "dex_store = dynamo",
            "ERROR: dex: invalid store 'dynamo' (from ini dex_store); "
            "installed stores: filesystem, memory",
        ),
        (
            ["--dex-endpoint", "localhost:9014"],
            {},
            "",
            "ERROR: dex: invalid endpoint 'localhost:9014' (from --dex-endpoint); "
            "give a URL starting with http:// or https://",
        ),
        (
            ["--dex-function-map", "orders=orders-prod,payments"],
            {},
            "",
            "ERROR: dex: invalid function map entry 'payments' "
            "(from --dex-function-map); write NAME=FUNCTION pairs separated by "
            "commas, for example "
            "orders=arn:aws:lambda:us-east-1:123456789012:function:orders",
        ),
    ],
    ids=[
        "mode-cli",
        "mode-env",
        "store-cli",
        "store-env",
        "store-ini",
        "endpoint",
        "function-map",
    ],
)
def test_invalid_settings_stop_the_run_with_a_usage_error(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    ini: str,
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(EMPTY_TEST)

    result = pytester.runpytest(*args)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_help_lists_every_option_with_its_env_and_ini_key(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--help")

    result.stdout.fnmatch_lines(
        [
            "dex: durable execution testing:",
            "  --dex-mode={local,cloud}",
            "*default) or cloud (the deployed function) ?env",
            "*AWS_DEX_MODE? ?ini dex_mode?",
            "  --dex-store=NAME *",
            "*?env AWS_DEX_STORE_TYPE?",
            "*?ini dex_store?",
            "  --dex-store-path=DIR *",
            "  --dex-region=REGION *",
            "  --dex-endpoint=URL *",
            "  --dex-function-map=NAME=FUNCTION,...",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "  dex_mode (string): *",
            "  dex_store (string): *",
            "  dex_store_path (string):",
            "  dex_region (string): *",
            "  dex_endpoint (string):",
            "  dex_function_map (string):",
        ]
    )


def test_settings_survive_the_trip_to_an_xdist_worker() -> None:
    settings = DexSettings(
        mode=DexMode.CLOUD,
        store_type="filesystem",
        store_path=Path("/runs/shared"),
        region="eu-west-1",
        endpoint="http://127.0.0.1:9014",
        function_map={"orders": "orders-prod"},
        sources={"store": "--dex-store"},
        invocation_dir=Path("/project"),
    )

    assert settings_from_dict(settings_to_dict(settings)) == settings
