"""Failures of the machine, not of the packet: the work waits and is retried; nothing is stored or filed as failed."""


class RetryLaterError(RuntimeError):
    """The environment failed (the database unreachable, the disk full): the same work is retried later."""


class WorkspaceWriteError(RetryLaterError):
    """A file of dossier's own (a page image, a report file) could not be written: the disk is full, or the folder
    is read-only or gone."""
