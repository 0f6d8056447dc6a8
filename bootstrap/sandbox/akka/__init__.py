"""A stand-in `akka` CLI, faithful to the documented one for the commands regboot uses.

The parts, as moto splits an emulator:
- model.py: the platform's state (a JSON file, locked while a command runs, so concurrent calls serialise like the
  real service would) and its rules: projects, regions, credentials, secrets, logins, injected faults;
- cli.py: the command line: flags, Go durations, help, tables, errors; `run` answers one command;
- server.py: a unix socket server, a thread of the process that started the sandbox, that runs commands for
- client.c, client.py: the `akka` executable regboot runs. It is a real process (regboot starts, times out and
  kills it like the real CLI), but it does almost nothing itself: it hands its argv and environment to the server
  and prints the answer (wire.py: what the two say). client.c is that executable where a C compiler is found
  (build.py compiles and caches it), starting as fast as the real CLI, a Go binary; client.py is that executable
  without one, and what client.c hands over to (execv, same process) when the command must run in the executable
  itself: with no server to ask (a sandbox that has stopped), or a fault that hangs or signals the process.

State keys a test may set: `logged_in`, `version` ("3.2.0"; below 3.0.4 behaves like the old CLI),
`config.project`, `projects` (each with its `regions`), `service_tokens` and `removal_takes_secret` (model.py), and
`fail` = {"docker add-credentials": {"message": "...", "times": 1, "exit": 1, "sleep": 0, "late": 0, "latency": 0,
"signal": "INT", "after": 0}} to make a command fail (`after`: once that many runs of it have passed), hang
before it acts (`sleep`: the process itself stuck, which no deadline of its own ends), hang after it acted and
saved (`late`: the platform did it, the answer never came), answer slowly (`latency`: seconds the platform takes,
counted against the command's own `--timeout` instead of being slept), or interrupt its caller ("{password}" in a
message echoes the password; "{password:go}" echoes it Go-quoted, as a Go program's `%q` or strconv.Quote prints
it: a test-only knob for a careless CLI). Hanging and signalling happen in the executable's own process.

This package's own module stays empty: the Python executable imports client.py through it, on every command.
"""
