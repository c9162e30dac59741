"""The ``neurallog`` terminal commands other than ``local``: tail, search, send, rules,
actions. They use the SDK's own client; rendering needs the ``cli`` extra (rich)."""
