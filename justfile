# dex developer commands. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Run every test of every package (the soak runs are excluded; see `just soak`).
test *ARGS:
    uv sync --frozen --all-packages
    if [ -z "${DEX_CONFORMANCE_DIR:-}" ] && [ -d ../shared/conformance/requirements ]; then \
        export DEX_CONFORMANCE_DIR="$(cd ../shared/conformance/requirements && pwd)"; fi; \
    uv run --frozen pytest -m "not soak" -n 2 {{ARGS}}

# Lint: ruff check, ruff format --check and mypy --strict over all packages.
lint:
    uv run --frozen ruff check packages tests benchmarks examples
    uv run --frozen ruff format --check packages tests benchmarks examples
    uv run --frozen mypy --strict packages/*/src

# Regenerate the published JSON Schema files under schemas/.
schemas:
    uv run --frozen python -m dex_schema schemas

# Run the benchmarks and print their reports.
bench:
    uv run --frozen python -m benchmarks

# The long reliability runs (many processes, many kills).
soak:
    uv run --frozen pytest -m soak -p no:cacheprovider

# The main job: run the example durable function end to end and inspect what it stored.
demo:
    uv sync --frozen --all-packages
    uv run --frozen python examples/demo.py
