"""Bounded time and memory for reading untrusted documents.

PDF and Office readers are C libraries and large Python ones, and an HTML page's tree
grows with its nesting and size; a hostile file (a decompression bomb, a page that never
ends, a page in 200 nested <div>s with megabytes of filler) must cost a bounded amount. Extraction
runs in a worker process with an address-space limit, under a deadline. The worker
is forked once and reused, so a document pays a pipe round trip, not a fork; a
worker that runs out of memory, crashes or overruns its deadline is killed and the
next document gets a fresh one. The caller sees an ``ExtractionError`` with the
reason, never a crash.
"""

from __future__ import annotations

import atexit
import faulthandler
import os
import pickle
import resource
import select
import signal
import struct
import time
from collections.abc import Callable
from typing import TypeVar

from nianbao.parse.extract import ExtractionError

T = TypeVar("T")

MEMORY_LIMIT = 2 * 1024**3  # address space of the worker, bytes
TIME_LIMIT = 120.0  # seconds per document
RECYCLE_AFTER = 200  # documents; a fresh worker then, so reader caches never add up to the limit
_HEADER = struct.Struct("!Q")


class _Worker:
    """A forked child that runs ``fn(*args)`` requests under an address-space limit."""

    def __init__(self, memory: int) -> None:
        self.memory = memory
        self.served = 0
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the worker
            os.close(request_write)
            os.close(reply_read)
            self._serve(request_read, reply_write)
        os.close(request_read)
        os.close(reply_write)
        self.requests, self.replies = request_write, reply_read

    def _serve(self, requests: int, replies: int) -> None:
        faulthandler.disable()  # an out-of-memory abort is expected here, not a bug to dump
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        code = 0
        try:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = self.memory if hard == resource.RLIM_INFINITY else min(self.memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            while True:
                request = _receive(requests, deadline=None)
                if request is None:
                    break
                fn, args = pickle.loads(request)
                try:
                    payload = ("ok", fn(*args))
                except ExtractionError as error:
                    payload = ("error", str(error))
                except MemoryError:
                    payload = (
                        "error",
                        f"document needs more than {self.memory // 1024**2} MiB to read; refused",
                    )
                except Exception as error:  # a reader library failing on a hostile file
                    payload = ("error", f"{type(error).__name__}: {error}")
                _send(replies, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def call(self, fn: Callable[..., T], args: tuple, seconds: float) -> T:
        _send(self.requests, pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL))
        reply = _receive(self.replies, deadline=time.monotonic() + seconds)
        if reply is None:
            raise _Died
        kind, value = pickle.loads(reply)
        if kind == "error":
            raise ExtractionError(value)
        return value

    def stop(self) -> str:
        """Kill the worker; say how it ended."""
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == 0:
                os.kill(self.pid, signal.SIGKILL)
                _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return "gone"
        if os.WIFSIGNALED(status):
            return f"signal {os.WTERMSIG(status)}"
        return f"exit {os.WEXITSTATUS(status)}"


class _Died(Exception):
    pass


class _Timeout(Exception):
    pass


def _send(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int, deadline: float | None) -> bytes | None:
    """One length-prefixed message; None when the other end has closed."""
    header = _read_exactly(fd, _HEADER.size, deadline)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    return _read_exactly(fd, size, deadline)


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    chunks, got = [], 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise _Timeout
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


_workers: dict[int, _Worker] = {}
_owner = os.getpid()


def isolated(
    fn: Callable[..., T], *args: object, seconds: float | None = None, memory: int | None = None
) -> T:
    """Run ``fn(*args)`` (a module-level function) in a worker under limits (default:
    the module's MEMORY_LIMIT and TIME_LIMIT); return its result or raise
    ``ExtractionError`` (for the worker's own ExtractionError, its message)."""
    global _owner
    seconds = TIME_LIMIT if seconds is None else seconds
    memory = MEMORY_LIMIT if memory is None else memory
    if os.getpid() != _owner:  # a forked process: its parent's workers are not its own
        _workers.clear()
        _owner = os.getpid()
    worker = _workers.get(memory)
    if worker is not None and worker.served >= RECYCLE_AFTER:
        worker.stop()
        worker = None
    if worker is None:
        worker = _workers[memory] = _Worker(memory)
    worker.served += 1
    try:
        return worker.call(fn, args, seconds)
    except _Timeout:
        del _workers[memory]
        worker.stop()
        raise ExtractionError(f"reading took longer than {seconds:.0f} s; stopped") from None
    except (_Died, BrokenPipeError):
        del _workers[memory]
        how = worker.stop()
        raise ExtractionError(f"reader died ({how}): out of memory or a crash") from None


@atexit.register
def _stop_workers() -> None:
    if os.getpid() == _owner:
        for worker in _workers.values():
            worker.stop()
        _workers.clear()
