"""numpy, imported at the first match instead of at start-up.

Why: numpy costs the bot ~15 MB of memory, and most bots run for days without anybody
asking for a partner, a peer or a cluster. The engine's modules use ``numpy`` as ``np``
through this stand-in: the first attribute read (``np.zeros``) imports numpy and caches
the attribute, so later reads are plain attribute look-ups. Type checkers see the real
module (the engine modules import it under ``TYPE_CHECKING``).
"""

from __future__ import annotations

import importlib
from typing import Any


class _LazyNumpy:
    """Stands in for the ``numpy`` module until an attribute of it is used."""

    def __getattr__(self, name: str) -> Any:
        value = getattr(importlib.import_module("numpy"), name)
        setattr(self, name, value)  # found directly from now on
        return value


numpy = _LazyNumpy()
