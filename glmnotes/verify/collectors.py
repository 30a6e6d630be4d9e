"""Lists that a check's code appends to while a block collects them: the clock cuts, the memory
cuts and the timings of bounded operations.

Each is a :class:`Collector` held in a context variable, so that nested checks and threads each
collect their own; outside a ``collect()`` block, noting does nothing.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Collector(Generic[T]):
    """``with collector.collect() as items:`` gathers what ``collector.note(item)`` records inside
    the block (each item once when ``unique``)."""

    def __init__(self, name: str, *, unique: bool = False):
        self._items: contextvars.ContextVar[list[T] | None] = contextvars.ContextVar(
            name, default=None
        )
        self._unique = unique

    @contextmanager
    def collect(self) -> Iterator[list[T]]:
        """Collect what is noted inside the block."""
        items: list[T] = []
        token = self._items.set(items)
        try:
            yield items
        finally:
            self._items.reset(token)

    def note(self, item: T) -> None:
        """Record ``item`` in the innermost collecting block, if any."""
        items = self._items.get()
        if items is not None and not (self._unique and item in items):
            items.append(item)
