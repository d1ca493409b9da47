"""``python -m evonet.cli``: the ``evonet`` command."""

import sys

from evonet.cli.program import main

if __name__ == "__main__":
    sys.exit(main())
