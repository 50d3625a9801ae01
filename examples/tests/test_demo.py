"""The main job: ``python examples/demo.py`` runs end to end in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "demo.py"


def test_the_demo_runs_the_workflow_then_lists_and_validates(tmp_path) -> None:
    store = tmp_path / "store"
    environment = {**os.environ, "AWS_DEX_STORE_PATH": str(store)}
    environment.pop("AWS_DEX_STORE_TYPE", None)

    finished = subprocess.run(
        [sys.executable, str(DEMO)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stderr
    out = finished.stdout
    assert "== outcome: SUCCEEDED" in out
    assert "Status:      SUCCEEDED" in out
    for operation in (
        "  reserve-stock  STEP  SUCCEEDED",
        "  fraud-check-window  WAIT  SUCCEEDED",
        "  payment-approval  CONTEXT/WaitForCallback  SUCCEEDED",
        "  pack-items  CONTEXT/Map  SUCCEEDED",
        "    map-item-2  CONTEXT/MapIteration  SUCCEEDED",
        "  ship  CONTEXT/RunInChildContext  SUCCEEDED",
        "    print-label  STEP  SUCCEEDED",
    ):
        assert operation in out
    listing = out.split("== dex list\n", 1)[1].splitlines()
    assert listing[0].split() == [
        "name",
        "function",
        "status",
        "start",
        "duration",
        "operations",
    ]
    assert listing[1].split()[:3] == ["demo-order", "orders", "SUCCEEDED"]
    assert out.rstrip().endswith(
        "checked 1 file against execution-record.schema.json: 1 valid, 0 invalid"
    )
    assert len(list(store.glob("*.json"))) == 1
