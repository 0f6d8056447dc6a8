"""registry-bootstrap: give a platform pull access to a private container registry, safely and repeatably."""

__version__ = "0.1.0"
