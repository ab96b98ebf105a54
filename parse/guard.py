"""Bounded time and memory for reading untrusted documents.

PDF and Office readers are C libraries and large Python ones; a hostile file (a
decompression bomb, a page that never ends) must cost a bounded amount. Extraction
runs in a forked child with an address-space limit and a deadline; the child sends
its result back through a pipe. A child that is killed or runs out of memory is an
``ExtractionError`` with the reason, never a crash of the caller.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from parse.extract import ExtractionError

T = TypeVar("T")

MEMORY_LIMIT = 2 * 1024**3  # address space of the child, bytes
TIME_LIMIT = 120.0  # seconds


def isolated(
    fn: Callable[..., T], *args: object, seconds: float | None = None, memory: int | None = None
) -> T:
    """Run ``fn(*args)`` in a forked child under limits (default: the module's
    MEMORY_LIMIT and TIME_LIMIT); return its result or raise ``ExtractionError``
    (for the child's own ExtractionError, its message)."""
    seconds = TIME_LIMIT if seconds is None else seconds
    memory = MEMORY_LIMIT if memory is None else memory
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        code = 0
        faulthandler.disable()  # an out-of-memory abort is expected here, not a bug to dump
        try:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            try:
                payload = ("ok", fn(*args))
            except ExtractionError as error:
                payload = ("error", str(error))
            except MemoryError:
                payload = ("error", f"document needs more than {memory // 1024**2} MiB to read; refused")
            except Exception as error:  # a reader library failing on a hostile file
                payload = ("error", f"{type(error).__name__}: {error}")
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    os.kill(pid, signal.SIGKILL)
                    raise ExtractionError(f"reading took longer than {seconds:.0f} s; stopped")
                ready, _, _ = select.select([pipe], [], [], remaining)
                if not ready:
                    continue
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        _, status = os.waitpid(pid, 0)
    if not chunks:
        if os.WIFSIGNALED(status):
            raise ExtractionError(f"reader died with signal {os.WTERMSIG(status)} (out of memory or a crash)")
        raise ExtractionError("reader failed without a result (out of memory or a crash)")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise ExtractionError(value)
    return value
