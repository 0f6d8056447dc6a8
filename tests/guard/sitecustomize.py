"""Loaded by every Python child process the tests start (tests/guard is on their PYTHONPATH)."""

import loopback

loopback.install()
