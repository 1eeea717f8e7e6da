"""The one failure the pipeline reports: this file can never be processed."""


class PermanentError(Exception):
    """This file can never be processed; retrying will not help. `reason` is one of records.REASONS."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
