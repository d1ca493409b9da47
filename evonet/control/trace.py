"""Old home of :func:`trajectory`, kept so that ``evonet.control.trace`` still imports.

:func:`trajectory` lives in :mod:`evonet.tasks.trace`.
"""

from evonet.tasks.trace import trajectory

__all__ = ["trajectory"]
