"""``python -m tsgate``: the ``tsgate`` command line."""
from .cli import main

raise SystemExit(main())
