"""Run the benchmarks: ``python -m benchmarks [NAME ...]`` (``just bench``).

Every ``benchmarks/bench_<name>.py`` module with a ``run() -> str`` function
is a benchmark; its report is printed as it finishes. Name modules (``stores``
or ``bench_stores``) to run only those.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[str]:
    """The benchmark module names, sorted (``bench_stores``, ...)."""
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named in ``argv`` (all when none); return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run dex's benchmarks and print their reports.",
        epilog="example: python -m benchmarks stores",
    )
    parser.add_argument(
        "names",
        nargs="*",
        help="benchmarks to run, like 'stores' or 'bench_stores' (default: all)",
    )
    arguments = parser.parse_args(argv)
    available = discover()
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in arguments.names]
    unknown = [name for name in wanted if name not in available]
    if unknown:
        parser.error(
            f"no benchmark named {', '.join(unknown)}; "
            f"available: {', '.join(n.removeprefix('bench_') for n in available)}"
        )
    for name in wanted or available:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        report = module.run()
        elapsed = time.perf_counter() - started
        print(f"== {name.removeprefix('bench_')} ({elapsed:.1f} s)\n{report}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
