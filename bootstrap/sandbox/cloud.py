"""What each cloud's emulator shares: its API servers over one model and one call log, started and stopped together."""

from __future__ import annotations

from typing import ClassVar, Generic, Protocol, TypeVar

from bootstrap.parallel import together
from bootstrap.sandbox.faults import CallLog

Model = TypeVar("Model")


class Server(Protocol):
    """One emulated API on a loopback port (an HttpEmulator, the IAM gRPC emulator)."""

    def start(self, port: int = 0) -> str: ...

    def stop(self) -> None: ...


class CloudEmulator(Generic[Model]):
    """A cloud's emulated APIs sharing one model and one call log. A subclass makes its servers (`serve`) and says
    which environment points regboot at them (`environment`); `env` holds it once started."""

    model_type: ClassVar[type]  # the model a fresh emulator serves

    def __init__(self, model: Model | None = None, calls: CallLog | None = None) -> None:
        self.model: Model = model if model is not None else self.model_type()
        self.calls = calls if calls is not None else CallLog()
        self.servers = self.serve()
        self.env: dict[str, str] = {}

    def serve(self) -> tuple[Server, ...]:
        """Make this cloud's servers over `self.model` and `self.calls`."""
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        """The environment that points regboot at the started servers."""
        raise NotImplementedError

    def start(self) -> dict[str, str]:
        """Start every server on a free loopback port; return the environment that points regboot at them."""
        for server in self.servers:
            server.start()
        self.env = self.environment()
        return dict(self.env)

    def stop(self) -> None:
        # In parallel: an HTTP server notices a shutdown only at its next poll.
        together(*(server.stop for server in self.servers))

    def __enter__(self) -> CloudEmulator[Model]:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
