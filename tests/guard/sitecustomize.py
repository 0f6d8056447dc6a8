"""Loaded by every Python child process the tests start (tests/guard is on their PYTHONPATH).

The guard goes on as the process first imports `socket`, through which every connection of Python code goes: loading
socket (its enum and selectors) at every start would cost most of what a stand-in CLI's command costs, and the suite
starts thousands. A process that never imports it can reach no network address (the stand-in akka speaks to the
sandbox over a unix socket with `_socket`, which the guard never looked at)."""

import sys


class _GuardSocket:
    """A meta path finder that finds `socket` as the others would, and puts the guard on once it has loaded."""

    def find_spec(self, name, path=None, target=None):
        if name != "socket":
            return None
        sys.meta_path.remove(self)
        spec = next(filter(None, (finder.find_spec(name, path, target) for finder in sys.meta_path)), None)
        if spec is not None and spec.loader is not None:
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                import loopback  # which imports socket only inside its functions

                loopback.install()

            spec.loader.exec_module = exec_module
        return spec


if "socket" in sys.modules:
    import loopback

    loopback.install()
else:
    sys.meta_path.insert(0, _GuardSocket())
