"""Where the ``dex`` command writes: rich on a terminal, plain text when piped."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO

import msgspec
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

__all__ = ("Node", "Output")

PROGRESS_THRESHOLD = 50
"""Work over fewer items than this finishes too fast to need a progress bar."""


class Node(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a tree (an operation) and the lines under it."""

    label: str
    style: str = ""
    children: tuple[Node, ...] = ()


class Output:
    """The two streams a command writes to.

    Parameters
    ----------
    stdout, stderr:
        The streams; ``sys.stdout`` and ``sys.stderr`` (looked up when the
        command runs) when None.
    terminal:
        Force rich output (True) or plain text (False); None decides from
        whether each stream is a terminal.
    """

    def __init__(
        self,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        *,
        terminal: bool | None = None,
    ) -> None:
        self.out = Console(
            file=stdout or sys.stdout, force_terminal=terminal, highlight=False
        )
        self.err = Console(
            file=stderr or sys.stderr, force_terminal=terminal, highlight=False
        )
        self._held: list[tuple[str, str]] | None = None
        self._terminal = terminal

    @property
    def rich(self) -> bool:
        """Whether standard output is a terminal (tables and trees drawn)."""
        return self.out.is_terminal

    def line(self, text: str = "", style: str = "") -> None:
        """Write one line of text to standard output, as is.

        While a progress bar is drawn on the same terminal, lines are held
        and written when it is gone, so the two never interleave.
        """
        if self._held is not None:
            self._held.append((text, style))
            return
        if self.rich:
            self.out.print(Text(text, style=style), soft_wrap=True)
        else:
            self.out.file.write(text + "\n")

    def raw(self, text: str) -> None:
        """Write text for scripts (JSON) to standard output, never styled."""
        self.out.file.write(text if text.endswith("\n") else text + "\n")

    def note(self, text: str, style: str = "yellow") -> None:
        """Write one line to standard error (warnings, corrupt files)."""
        if self.err.is_terminal:
            self.err.print(Text(text, style=style), soft_wrap=True)
        else:
            self.err.file.write(text + "\n")

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        styles: Sequence[str] | None = None,
        wrap: Sequence[int] = (0,),
        share_room: bool = True,
    ) -> None:
        """Write a table: a rich table on a terminal, aligned columns otherwise.

        Parameters
        ----------
        columns:
            The column headings.
        rows:
            The cells, one sequence per row.
        styles:
            One style per row, used on a terminal only.
        wrap:
            The indices of the columns that may wrap (folded, nothing cut) on
            a narrow terminal; the others (statuses, times) keep one line.
        """
        if self.rich:
            # Several wrapping columns share the room by ratio, which rich
            # applies only to a table that fills the terminal's width. The
            # columns that keep one line are never narrowed below their
            # widest cell, so a narrow terminal folds the wrapping ones
            # instead of dropping or cutting columns.
            table = Table(
                header_style="bold",
                expand=len(wrap) > 1 and share_room,
                box=box.SIMPLE_HEAD,
                show_edge=False,
                pad_edge=False,
                padding=(0, 1),
                collapse_padding=True,
            )
            for index, column in enumerate(columns):
                if index in wrap:
                    # The last wrapping column (details) gets the most room.
                    ratio = (
                        3 if share_room and index == max(wrap) and len(wrap) > 1 else 1
                    )
                    table.add_column(
                        column,
                        overflow="fold",
                        min_width=6,
                        ratio=ratio if share_room else None,
                    )
                else:
                    widest = max([len(column), *(len(row[index]) for row in rows)])
                    table.add_column(column, no_wrap=True, min_width=widest)
            for index, row in enumerate(rows):
                table.add_row(*row, style=styles[index] if styles else None)
            self.out.print(table)
            return
        widths = [len(column) for column in columns]
        for row in rows:
            widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
        for row in [list(columns), *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            self.out.file.write("  ".join(cells).rstrip() + "\n")

    def tree(self, root: Node) -> None:
        """Write a tree: rich guides on a terminal, two-space indents otherwise."""
        if self.rich:
            tree = Tree(Text(root.label, style=root.style or "bold"))
            self._grow(tree, root.children)
            self.out.print(tree)
            return
        self._write_plain(root, 0)

    def _grow(self, tree: Tree, children: Sequence[Node]) -> None:
        for child in children:
            self._grow(tree.add(Text(child.label, style=child.style)), child.children)

    def _write_plain(self, node: Node, depth: int) -> None:
        self.out.file.write("  " * depth + node.label + "\n")
        for child in node.children:
            self._write_plain(child, depth + 1)

    def _err_is_terminal(self) -> bool:
        # rich takes FORCE_COLOR for a terminal; a progress bar redrawn into
        # a log file is noise, so ask the stream itself unless forced.
        if self._terminal is not None:
            return self._terminal
        try:
            return bool(self.err.file.isatty())
        except (AttributeError, ValueError):
            return False

    @contextmanager
    def progress(self, description: str, total: int) -> Iterator[Callable[[], None]]:
        """Show a progress bar on standard error while the block works.

        Yields a function to call once per item done. Nothing is shown when
        standard error is not a terminal or when ``total`` is small. The bar
        is transient (erased when done); when standard output is the
        terminal too, ``line`` output is held until the bar is gone.
        """
        if not self._err_is_terminal() or total < PROGRESS_THRESHOLD:
            yield lambda: None
            return
        if self.out.is_terminal:
            self._held = []
        try:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.err,
                transient=True,
            ) as progress:
                task = progress.add_task(description, total=total)
                yield lambda: progress.advance(task)
        finally:
            held, self._held = self._held, None
            for text, style in held or ():
                self.line(text, style)
