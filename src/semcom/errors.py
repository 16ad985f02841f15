"""User-facing errors.

Every error a user can cause with bad input derives from :class:`SemcomError`. The CLI turns them into
one line on stderr and exit code 2; library callers can catch the base class.
"""

from __future__ import annotations


class SemcomError(Exception):
    """Base class of errors caused by bad input (files, arguments, configs)."""


class ImageLoadError(SemcomError):
    """An image file cannot be read, or its content cannot be used (size, mode)."""


class InvalidSNRError(SemcomError, ValueError):
    """An SNR value that is NaN, infinite or otherwise unusable."""


class UnknownNameError(SemcomError, KeyError):
    """A name that is not in a registry (scheme, metric, dataset)."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it a plain sentence.
        return str(self.args[0]) if self.args else ""


class DatasetError(SemcomError):
    """A dataset directory that is missing, empty or malformed."""


class MetricUnavailableError(SemcomError):
    """An optional metric whose package or weights are not installed."""


class ResultsFileError(SemcomError):
    """A results file whose columns do not match the schema."""


class ShardError(SemcomError):
    """A multi-process launch whose rank settings (``RANK``, ``WORLD_SIZE``, rendezvous) cannot be used."""


class InvalidLimitError(DatasetError, ValueError):
    """An image limit that is not a positive integer."""
