"""``python -m certcheck``: the same as the ``certcheck`` command."""

import sys

from certcheck.cli import main

sys.exit(main())
