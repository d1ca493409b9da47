"""The version of evonet, in a module of its own so that any layer can read it.

Examples
--------
>>> from evonet.version import __version__
>>> import evonet
>>> evonet.__version__ == __version__
True
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
