"""Starting a coroutine from a Qt signal: the task is kept alive and its failure reaches sys.excepthook."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """The body of every async slot: `button.clicked.connect(lambda: spawn(self.add_key()))`."""
    task = asyncio.ensure_future(coroutine)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        sys.excepthook(type(error), error, error.__traceback__)


async def wait_for_running_tasks(grace_seconds: float = 5.0) -> None:
    """At shutdown: let actions in flight finish (or cancel them) before the services stop."""
    pending = [task for task in _running if not task.done()]
    if not pending:
        return
    _done, still = await asyncio.wait(pending, timeout=grace_seconds)
    for task in still:
        task.cancel()
    if still:
        # Bounded too: a task whose wake-up failed stays pending whatever we do, and must not hold Quit.
        await asyncio.wait(still, timeout=1.0)
