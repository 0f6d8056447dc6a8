"""A plugin whose loading is interrupted: it sends its own process SIGTERM, as CI would while regboot starts up."""

import os
import signal

os.kill(os.getpid(), signal.SIGTERM)
