"""Logging filters."""

import logging


class RefusedRequestFilter(logging.Filter):
    """
    Django logs a request it refuses for its shape (DisallowedHost, RequestDataTooBig,
    TooManyFieldsSent and the other SuspiciousOperations) at ERROR with a traceback. It is
    the client's doing and the site answered it properly: one WARNING line is enough.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        return True
