"""NeuralLog Local: a local server for the NeuralLog v1 API."""
