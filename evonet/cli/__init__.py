"""The ``evonet`` command line: ``fit``, ``resume``, ``predict``, ``info`` and ``plot``.

Modules: :mod:`~evonet.cli.parser` (the argument parser and the parsers of
option values), :mod:`~evonet.cli.commands` (what ``fit``, ``resume`` and ``predict`` do),
:mod:`~evonet.cli.info` (``evonet info``: what a model file or checkpoint holds),
:mod:`~evonet.cli.data` (built-in data sets, CSV reading and writing),
:mod:`~evonet.cli.plotting` (``evonet plot``: the figure of a saved model),
:mod:`~evonet.cli.program` (:func:`main`: exit codes, one-line errors, the
output folders checked before any work) and :mod:`~evonet.cli.signals`
(Ctrl-C and SIGTERM: the run saved at the end of its generation).

Exit codes: 0 success, 1 failure, 2 usage or input error (a bad option, a
CSV file or model file that cannot be used), 130 Ctrl-C (SIGINT), 143 SIGTERM
(either saves the run's checkpoint first, see :mod:`~evonet.cli.signals`).
Input errors print one line on stderr, never a traceback (set
``EVONET_DEBUG=1`` to see one for a failure).

Examples
--------
>>> from evonet.cli import main
>>> main(["info", "no-such-model.evonet"])   # the reason goes to stderr
2
"""

from evonet.cli.parser import build_parser
from evonet.cli.program import main

__all__ = ["build_parser", "main"]
