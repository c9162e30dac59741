"""pytest plugin of NeuralLog Local (registered through the ``pytest11`` entry point)."""
