"""Entry point for `python -m fomm_core`."""

import sys

from .cli import main

sys.exit(main())
