"""The process's long-lived objects, out of the garbage collector's way."""

from __future__ import annotations

import gc


def freeze_startup() -> None:
    """Call once the process has built what it keeps (modules, the app and its templates, the
    worker): the collector stops scanning those, so its full collections, which requests and
    tasks trigger now and then, no longer pause one for about 100 ms (measured on /team)."""
    gc.collect()
    gc.freeze()
