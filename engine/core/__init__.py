"""Core loop layer: clocks, the fixed-step scheduler, input, window/headless targets, the App.

Imports ``engine.data`` at most; creates the moderngl context and hands it to the renderer
through ``app.ctx`` / ``app.target`` and the hook lists.
"""

from engine.core import keys
from engine.core.app import BENCHMARK_FRAME_NS, EXIT_REASONS, App, AppConfig, ShutdownError
from engine.core.clock import Clock, FixedClock, ManualClock, SystemClock
from engine.core.input import (
    Binding,
    DuplicateBindingError,
    Input,
    UnknownBindingError,
    key_name,
)
from engine.core.keys import key_code
from engine.core.scheduler import (
    DuplicateSystemError,
    Scheduler,
    System,
    UnknownSystemError,
)
from engine.core.target import (
    BaseWindow,
    DisplayUnavailableError,
    GlfwWindow,
    HeadlessWindow,
    TargetConfig,
    open_target,
)

__all__ = [
    "App", "AppConfig", "ShutdownError", "EXIT_REASONS", "BENCHMARK_FRAME_NS",
    "Clock", "SystemClock", "FixedClock", "ManualClock",
    "Scheduler", "System", "UnknownSystemError", "DuplicateSystemError",
    "Input", "Binding", "UnknownBindingError", "DuplicateBindingError", "key_name",
    "keys", "key_code",
    "BaseWindow", "GlfwWindow", "HeadlessWindow", "TargetConfig", "DisplayUnavailableError",
    "open_target",
]
