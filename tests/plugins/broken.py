"""A third-party plugin that fails to import, to prove it is a warning and not a crash."""

raise ImportError("this plugin needs a library that is not installed")
