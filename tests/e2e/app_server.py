"""Start the real app as users start it: `reflex run --env prod` on a free port.

The browser tests (tests/e2e/conftest.py imports this as `app_server`) and the tests of a
backend process (test_serving.py, test_cli.py: `running_backend`) share it with the
benchmarks; it lives in bench/support/servers.py, which says how it runs the app.
"""

from bench.support.servers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    AppServer,
    AppStartError,
    app_env,
    free_port,
    running_app,
    running_backend,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "AppServer",
    "AppStartError",
    "app_env",
    "free_port",
    "running_app",
    "running_backend",
]
