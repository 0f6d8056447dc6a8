"""What the `akka` executables (client.py, client.c) and the sandbox's akka server (server.py) say to each other.

A message is a run of fields, each a 4-byte big-endian length and that many bytes: simple enough for C, and bytes,
so argv and the environment pass as the OS gave them (the server reads them as Python's os module does). The client
sends one request and shuts its side; the server answers once and closes.

request: began (seconds, decimal), caller (pid), argc, argv..., then the environment handed over as name, value, ...
answer:  b"local" alone (the command must run in the executable's own process), or
         b"done", code, late (seconds, decimal), out, err, garbage (bytes to print after out)

Imported by every Python `akka` process: it imports nothing.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: importing typing would double what an `akka` process costs
if TYPE_CHECKING:
    from collections.abc import Mapping

    from bootstrap.sandbox.akka.cli import Answer

LOCAL = [b"local"]
# what a `garbage` fault prints after the output: a CLI built for another locale, or a terminal control sequence
GARBAGE = b"\xff\xfe\xc3(\x80 stored\n"


def pack(fields: list[bytes]) -> bytes:
    return b"".join(len(f).to_bytes(4, "big") + f for f in fields)


def unpack(data: bytes) -> list[bytes]:
    fields, at = [], 0
    while at < len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        if at + 4 + size > len(data):
            raise ValueError("a message cut short")
        fields.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    return fields


def request(args: list[str], env: Mapping[str, str], caller: int, began: float) -> bytes:
    pairs = [os.fsencode(x) for name, value in env.items() for x in (name, value)]
    return pack([repr(began).encode(), str(caller).encode(), str(len(args)).encode(), *map(os.fsencode, args), *pairs])


def read_request(data: bytes) -> tuple[list[str], dict[str, str], int, float]:
    """argv, environment, caller and began; a name given twice keeps its first value, as os.environ does."""
    began, caller, count, *rest = unpack(data)
    argc = int(count)
    args = [os.fsdecode(a) for a in rest[:argc]]
    env: dict[str, str] = {}
    for name, value in zip(rest[argc::2], rest[argc + 1 :: 2], strict=True):
        env.setdefault(os.fsdecode(name), os.fsdecode(value))
    return args, env, int(caller), float(began)


def answer(done: Answer) -> list[bytes]:
    def encoded(text: str) -> bytes:
        return text.encode("utf-8", "surrogateescape")  # an argv byte that was not UTF-8 is echoed back as it came

    late = repr(float(done.late)).encode()
    return [b"done", str(int(done.code)).encode(), late, encoded(done.out), encoded(done.err), GARBAGE * done.garbage]
