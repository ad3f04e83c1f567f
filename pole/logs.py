"""The log handler of LOGGING (pole/settings.py)."""

import logging
import sys


class StandardOutputHandler(logging.StreamHandler):
    """Write records to standard output, as it is when each record is written.

    A plain StreamHandler keeps the stream it was given at start-up; looking it up each time
    lets a test runner or a management command that swaps ``sys.stdout`` capture the logs.
    """

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value):
        pass
