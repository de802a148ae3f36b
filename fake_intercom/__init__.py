"""A stateful fake of the Intercom REST API (version 2.11) for the demo, tests and benchmarks.

Production code never imports this package; `cli.py` (the emulator and demo commands), the
tests and the benchmarks do. See docs/architecture.md and the README section "Using the fake
Intercom".
"""

from fake_intercom.config import EmulatorConfig
from fake_intercom.emulator import RequestInfo
from fake_intercom.fake import FakeIntercom

__all__ = ["EmulatorConfig", "FakeIntercom", "RequestInfo"]
