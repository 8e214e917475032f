"""``python -m tui``: the same as the ``treadmill`` command."""

import sys

from tui.cli import main

sys.exit(main())
