"""``python -m neurallog_local``."""

from neurallog_local.cli import main

raise SystemExit(main())
