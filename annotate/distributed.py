"""What the commands that run on Dask share: a client (a LocalCluster or a scheduler's), and an ordered map.

Dask is an optional extra (`pip install .[dask]`): nothing here imports it before `dask_client` or `ordered_map`
runs, so the core install and the local executors never load it.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import AnnotateError, ConfigError, ExecutorError

if TYPE_CHECKING:
    from distributed import Client

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
WORKER_TIMEOUT = 60.0  # seconds to wait for the first worker to join the scheduler

Item = TypeVar("Item")
Result = TypeVar("Result")


@contextmanager
def dask_client(scheduler: str | None, n_workers: int, connect_timeout: float = CONNECT_TIMEOUT) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, else of a LocalCluster of `n_workers` single-threaded worker
    processes on loopback (closed on exit)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ConfigError("--executor dask needs Dask: install the extra with `pip install 'annotate-claims[dask]'` "
                          "(or `pip install -e '.[dask]'` in a checkout)") from error
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout=connect_timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler} ({_reason(error)}); start one with "
                            f"`dask scheduler` and workers with `dask worker {scheduler}`, or check the address "
                            "(tcp://HOST:PORT) and the firewall") from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise ExecutorError(f"the Dask scheduler at {scheduler} has no workers ({_reason(error)}); start some "
                                f"with `dask worker {scheduler}` on machines that have this package and the model "
                                "installed") from None
        yield client
    finally:
        client.close()


@contextmanager
def dask_map(scheduler: str | None, n_workers: int, *, key_prefix: str) -> Iterator[Callable[..., Iterator[Any]]]:
    """`ordered_map` bound to a `dask_client(scheduler, n_workers)`, open while the block runs: a `map` to pass
    to library code that takes one (e.g. `ingest(..., executor=...)`)."""
    with dask_client(scheduler, n_workers) as client:
        yield partial(ordered_map, client, key_prefix=key_prefix)


def _reason(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def ordered_map(client: Client, function: Callable[[Item], Result], items: Iterable[Item], *,
                window: int | None = None, key_prefix: str, on_done: Callable[[int], None] | None = None
                ) -> Iterator[Result]:
    """`map(function, items)` on the client's workers: one task per item, results yielded in input order.

    At most `window` tasks are in flight (default: two per worker thread), so the client holds a bounded number
    of items and results however long `items` is. A worker's error is raised as soon as any task fails, not
    when its turn comes. `function` must be importable on the workers (a module-level function or a partial of
    one); `key_prefix` names the tasks in the dashboard and in errors. `on_done` gets the number (from 0) of each
    item whose task finished, in the order they finish: a progress count, whatever the yield order.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    window = window or max(4, 2 * sum(client.nthreads().values()))
    run = f"{key_prefix}-{uuid.uuid4().hex[:12]}"
    numbered = enumerate(items)
    in_order: deque[Any] = deque()  # futures in input order
    numbers: dict[str, int] = {}
    finished: set[str] = set()
    completions = as_completed()

    def fill() -> None:
        while len(in_order) < window:
            item = next(numbered, None)
            if item is None:
                return
            number, argument = item
            future = client.submit(function, argument, key=f"{run}-{number}", pure=False)
            numbers[future.key] = number
            in_order.append(future)
            completions.add(future)

    try:
        fill()
        while in_order:
            head = in_order[0]
            while head.key not in finished:
                future = next(completions)
                if future.status == "error":
                    future.result()  # raises the worker's error at once, whichever task it was
                finished.add(future.key)
                if on_done is not None:
                    on_done(numbers[future.key])
            in_order.popleft()
            finished.discard(head.key)
            del numbers[head.key]
            result = head.result()
            head.release()
            fill()
            yield result
    except KilledWorker as error:
        raise ExecutorError(f"Dask gave up on a task of {key_prefix}: the workers that ran it died ({error}); "
                            "check the workers' memory and their logs") from None
    except AnnotateError:
        raise
    except (ModuleNotFoundError, ImportError) as error:
        raise ExecutorError(f"a Dask worker could not import what {key_prefix} needs ({error}); install this "
                            "package on every worker, in the same version as here") from None
    finally:
        for future in in_order:
            future.cancel()
