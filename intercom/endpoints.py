"""The Intercom REST endpoints the product reads, named once for ingest and `coach doctor`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The data-attribute definitions, one request per model the product reads attributes of.
DATA_ATTRIBUTE_REQUESTS: tuple[tuple[str, Mapping[str, Any]], ...] = (
    ("/data_attributes", {"model": "contact"}),
    ("/data_attributes", {"model": "conversation"}),
)
DATA_ATTRIBUTES_KEY = "data"
