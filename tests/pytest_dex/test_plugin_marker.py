"""The durable_execution marker: registration, validation and merging."""

from __future__ import annotations

import pytest

VALID = (
    "valid keywords: execution_timeout, functions, handler, lambda_function_name, "
    "skip_time, store, store_path"
)

HEADER = """
import pytest

def handler(event, context):
    return event

def other_handler(event, context):
    return event
"""


def test_marker_is_registered_with_its_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")

    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.durable_execution(handler=None, *, "
            "lambda_function_name=None, functions=None, skip_time=True, "
            "execution_timeout=None, store=None, store_path=None): *"
        ]
    )


def test_strict_markers_accept_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HEADER
        + """
@pytest.mark.durable_execution(handler=handler, lambda_function_name="f")
def test_marked():
    pass
"""
    )

    result = pytester.runpytest("--strict-markers")

    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "durable_execution(handlr=handler)",
            "unknown keyword 'handlr' (did you mean 'handler'?); " + VALID,
        ),
        (
            "durable_execution(handler=handler, lambda_name='f')",
            "unknown keyword 'lambda_name' (did you mean "
            "'lambda_function_name'?); " + VALID,
        ),
        (
            "durable_execution(handler=handler, retries=3)",
            "unknown keyword 'retries'; " + VALID,
        ),
        (
            "durable_execution(handler, other_handler)",
            "takes the handler as its only positional argument, got 2 positional "
            "arguments; pass the others by keyword",
        ),
        (
            "durable_execution(handler, handler=handler)",
            "the handler is given both positionally and as handler=; give it once",
        ),
        (
            "durable_execution(handler='handler')",
            "handler must be a callable durable handler, got str 'handler'",
        ),
        (
            "durable_execution(handler=handler, lambda_function_name='')",
            "lambda_function_name must be a non-empty str, got str ''",
        ),
        (
            "durable_execution(handler=handler, functions=[handler])",
            "functions must be a dict of function name to handler, "
            "got list ?<function handler at 0x*>?",
        ),
        (
            "durable_execution(handler=handler, functions={'pay': 3})",
            "functions['pay'] must be a callable, got int 3",
        ),
        (
            "durable_execution(handler=handler, skip_time='yes')",
            "skip_time must be True, False or \"manual\", got str 'yes'",
        ),
        (
            "durable_execution(handler=handler, execution_timeout=0)",
            "execution_timeout must be a whole number of seconds, 1 or more, got int 0",
        ),
        (
            "durable_execution(handler=handler, execution_timeout=True)",
            "execution_timeout must be a whole number of seconds, 1 or more, "
            "got bool True",
        ),
        (
            "durable_execution(handler=handler, execution_timeout=2.5)",
            "execution_timeout must be a whole number of seconds, 1 or more, "
            "got float 2.5",
        ),
        (
            "durable_execution(handler=handler, store='sqlite')",
            "unknown store 'sqlite'; installed stores: filesystem, memory",
        ),
        (
            "durable_execution(handler=handler, store=42)",
            "store must be a store name or an ExecutionStore instance, got int 42",
        ),
        (
            "durable_execution(handler=handler, store_path=3)",
            "store_path must be a directory path (str or Path), got int 3",
        ),
    ],
    ids=[
        "misspelt-handler",
        "misspelt-function-name",
        "unknown",
        "two-positional",
        "handler-twice",
        "handler-not-callable",
        "empty-function-name",
        "functions-not-dict",
        "function-not-callable",
        "skip-time",
        "timeout-zero",
        "timeout-bool",
        "timeout-float",
        "store-unknown",
        "store-wrong-type",
        "store-path",
    ],
)
def test_invalid_marker_fails_the_test_naming_the_problem(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(
        test_marked=HEADER
        + f"""
@pytest.mark.{marker}
def test_it():
    pass
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_it*",
            "@pytest.mark.durable_execution on test_marked.py::test_it: " + message,
        ]
    )


def test_invalid_class_marker_names_the_class(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked=HEADER
        + """
@pytest.mark.durable_execution(handler=handler, skiptime=False)
class TestOrders:
    def test_it(self):
        pass
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.durable_execution on test_marked.py::TestOrders: "
            "unknown keyword 'skiptime' (did you mean 'skip_time'?); " + VALID
        ]
    )


def test_invalid_module_marker_names_the_module(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked=HEADER
        + """
pytestmark = pytest.mark.durable_execution(handler=handler, timeout=5)

def test_it():
    pass
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.durable_execution on test_marked.py: unknown keyword "
            "'timeout'; " + VALID
        ]
    )


def test_markers_merge_keyword_by_keyword_closest_wins(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_merged=HEADER
        + """
from pytest_dex._marker import options_for

pytestmark = pytest.mark.durable_execution(
    handler=handler, lambda_function_name="from-module", execution_timeout=30,
    store="filesystem",
)

@pytest.mark.durable_execution(lambda_function_name="from-class", skip_time=False)
class TestMerged:
    @pytest.mark.durable_execution(handler=other_handler, store="memory")
    def test_function_marker_wins(self, request):
        options = options_for(request.node)
        assert options.handler is other_handler
        assert options.lambda_function_name == "from-class"
        assert options.skip_time is False
        assert options.execution_timeout == 30
        assert options.store == "memory"
        assert options.store_path is None
        assert options.origins == {
            "handler": "test_merged.py::TestMerged::test_function_marker_wins",
            "store": "test_merged.py::TestMerged::test_function_marker_wins",
            "lambda_function_name": "test_merged.py::TestMerged",
            "skip_time": "test_merged.py::TestMerged",
            "execution_timeout": "test_merged.py",
        }

    def test_class_marker_wins_over_module(self, request):
        options = options_for(request.node)
        assert options.handler is handler
        assert options.lambda_function_name == "from-class"
        assert options.store == "filesystem"

def test_module_marker_alone(request):
    options = options_for(request.node)
    assert options.handler is handler
    assert options.lambda_function_name == "from-module"
    assert options.skip_time is True
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=3)


def test_fixture_without_marker_says_what_to_add(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_unmarked="""
def test_it(durable_runner):
    pass
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "the durable_runner fixture needs a @pytest.mark.durable_execution "
            "marker saying what to run, and test_unmarked.py::test_it has none: "
            "add @pytest.mark.durable_execution(handler=my_handler, "
            'lambda_function_name="my_function") to the test, its class, or its '
            "module (pytestmark)"
        ]
    )


def test_marker_without_handler_in_local_mode_says_what_to_add(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_no_handler="""
import pytest

@pytest.mark.durable_execution(lambda_function_name="orders")
def test_it(durable_runner):
    pass
"""
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.durable_execution on test_no_handler.py::test_it gives "
            "no handler: add handler=<your durable handler> to the marker (on the "
            "test, its class or its module)"
        ]
    )


def test_cloud_mode_reports_it_is_not_available_yet(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
import dex_runner
import pytest


@pytest.fixture(autouse=True)
def without_cloud_runner(monkeypatch):
    monkeypatch.delattr(dex_runner, "DurableFunctionCloudTestRunner", raising=False)
"""
    )
    pytester.makepyfile(
        test_cloud="""
import pytest

@pytest.mark.durable_execution(lambda_function_name="orders")
def test_it(durable_runner):
    pass
"""
    )

    result = pytester.runpytest("--dex-mode=cloud")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "test_cloud.py::test_it: cloud mode (--dex-mode cloud) is not "
            "available yet: the installed dex-runner has no "
            "DurableFunctionCloudTestRunner. Run in local mode (--dex-mode "
            "local, the default) or upgrade dex-runner"
        ]
    )
