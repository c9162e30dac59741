# The SDK spec's middleware.py, verbatim.
from neurallog.integrations.django import NeuralLogMiddleware


class MyNeuralLogMiddleware(NeuralLogMiddleware):
    def process_request(self, request):
        self.neurallog.info(
            "Request started",
            {
                "path": request.path,
                "method": request.method,
                "user_id": request.user.id if request.user.is_authenticated else None,
            },
        )
