"""Integrations of NeuralLog with logging libraries and web frameworks.

Each integration lives in its own module and imports its framework only there; the
frameworks are optional extras:

============================================  ===========================  ===================
module                                        what                         extra
============================================  ===========================  ===================
``neurallog.integrations.logging``            ``NeuralLogHandler``         (none)
``neurallog.integrations.structlog``          ``NeuralLogProcessor``       ``neurallog[structlog]``
``neurallog.integrations.loguru``             ``NeuralLogSink``            ``neurallog[loguru]``
``neurallog.integrations.flask``              ``NeuralLogFlask``           ``neurallog[flask]``
``neurallog.integrations.django``             Django app and middleware    ``neurallog[django]``
``neurallog.integrations.fastapi``            ``NeuralLogFastAPI``         ``neurallog[fastapi]``
``neurallog.integrations.asgi``               ``NeuralLogASGIMiddleware``  (none)
``neurallog.integrations.wsgi``               ``NeuralLogWSGIMiddleware``  (none)
``neurallog.integrations.celery``             ``NeuralLogCelery``          ``neurallog[celery]``
``neurallog.integrations.rq``                 ``NeuralLogWorker``          ``neurallog[rq]``
``neurallog.integrations.aws_lambda``         ``lambda_handler``           (none)
============================================  ===========================  ===================

While a request is handled, every record sent by any NeuralLog client carries the request's
context in ``metadata["request"]`` (``id``, ``method``, ``path``, ``route``, ``client``).
"""

__all__: list[str] = []
