"""``python -m treadmill``: the same as the ``treadmill`` command."""

import sys

from treadmill.cli import main

sys.exit(main())
