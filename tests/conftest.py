"""Settings for every test."""

from __future__ import annotations

import os
import tempfile

# NeuralLog Local records itself in a per-user state file for the `neurallog` commands.
# Servers started by tests (and the processes they start) use a file of their own,
# never the user's.
os.environ["NEURALLOG_LOCAL_STATE_FILE"] = os.path.join(
    tempfile.mkdtemp(prefix="neurallog-test-state-"), "local.json"
)
