"""A handler that never returns does not keep the process from exiting."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import time
    import warnings

    from aws_durable_execution_sdk_python import DurableContext, durable_execution
    from dex_runner import DurableFunctionTestRunner

    @durable_execution
    def spins(event, context: DurableContext):
        while True:
            time.sleep(0.05)

    warnings.simplefilter("default")
    with DurableFunctionTestRunner(spins, invocation_timeout=0.5) as runner:
        arn = runner.run_async()
        result = runner.wait_for_result(arn, timeout=30)
    print("status", result.execution_status.value)
    print("error", result.error.type)
    """
)


def test_the_process_exits_while_a_fenced_handler_still_spins(tmp_path: Path) -> None:
    script = tmp_path / "spin.py"
    script.write_text(SCRIPT)

    completed = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "status FAILED",
        "error Sandbox.Timedout",
    ]
    assert "handler " in completed.stderr
    assert "spins was still running when the runner closed" in completed.stderr
