"""The pytest plugin: hooks, the ``durable_runner`` fixture and the marker.

pytest loads this module through the ``pytest11`` entry point ``dex``;
installing pytest-dex is all it takes.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from ._marker import MARKER, MARKER_HELP, MarkerError, options_for
from ._run import CloudModeUnavailableError, DurableTestRun, start_run
from ._settings import (
    DexSettings,
    add_options,
    resolve_settings,
    settings_from_dict,
    settings_to_dict,
)

__all__ = (
    "durable_runner",
    "pytest_addoption",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_report_header",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
)

SETTINGS_KEY = pytest.StashKey[DexSettings]()
RUN_KEY = pytest.StashKey[DurableTestRun]()
_WORKER_INPUT_KEY = "dex_settings"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--dex-`` options and ``dex_`` ini keys."""
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and resolve the run's settings.

    Raises ``pytest.UsageError`` when a setting has an invalid value. A
    pytest-xdist worker takes the settings its controller resolved, so every
    worker uses the same store directory.
    """
    config.addinivalue_line("markers", MARKER_HELP)
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and _WORKER_INPUT_KEY in worker_input:
        config.stash[SETTINGS_KEY] = settings_from_dict(worker_input[_WORKER_INPUT_KEY])
        return
    try:
        config.stash[SETTINGS_KEY] = resolve_settings(config)
    except pytest.UsageError:
        if config.option.help:
            return
        raise


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the controller's settings to a pytest-xdist worker."""
    settings = node.config.stash.get(SETTINGS_KEY, None)
    if settings is not None:
        node.workerinput[_WORKER_INPUT_KEY] = settings_to_dict(settings)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Show the effective mode and store."""
    settings = config.stash.get(SETTINGS_KEY, None)
    return None if settings is None else settings.describe()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a test whose ``durable_execution`` marker is malformed."""
    problem = _marker_problem(item)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


def _marker_problem(item: pytest.Item) -> str | None:
    try:
        options_for(item)
    except MarkerError as exc:
        return str(exc)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the executions of a failed test that used ``durable_runner``."""
    report = yield
    run = item.stash.get(RUN_KEY, None)
    if run is not None and report.failed and report.when == "call":
        report.sections.extend(run.report_sections())
    return report


@pytest.fixture
def durable_runner(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A durable function test runner for the handler the marker names.

    In local mode (the default) a ``dex_runner.DurableFunctionTestRunner``
    running the marker's ``handler`` in-process; in cloud mode a
    ``DurableFunctionCloudTestRunner`` for the deployed function. Executions
    the test leaves running are stopped at teardown with a warning, and the
    runner is closed.
    """
    item = request.node
    problem = _marker_problem(item)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    options = options_for(item)
    if options is None:
        pytest.fail(
            f"the durable_runner fixture needs a @pytest.mark.{MARKER} marker "
            f"saying what to run, and {item.nodeid} has none: add "
            f'@pytest.mark.{MARKER}(handler=my_handler, lambda_function_name="'
            'my_function") to the test, its class, or its module (pytestmark)',
            pytrace=False,
        )

    settings = request.config.stash[SETTINGS_KEY]
    run: DurableTestRun | str
    try:
        run = start_run(settings, options, item.nodeid)
    except CloudModeUnavailableError as exc:
        run = str(exc)
    if isinstance(run, str):
        pytest.fail(run, pytrace=False)
    item.stash[RUN_KEY] = run
    try:
        yield run.runner
    finally:
        run.finish()
