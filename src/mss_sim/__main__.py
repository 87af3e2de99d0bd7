"""``python -m mss_sim``: the ``mss-sim`` command."""

import sys

from mss_sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
