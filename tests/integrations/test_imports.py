"""Each framework is imported only by its own integration module, and only when installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from .conftest import WAIT

FRAMEWORKS = (
    "flask",
    "django",
    "fastapi",
    "starlette",
    "structlog",
    "loguru",
    "werkzeug",
    "celery",
    "rq",
    "pytest",
)


def run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=WAIT,
    ).stdout.strip()


def test_framework_free_modules_import_no_framework() -> None:
    loaded = run(
        f"""
        import sys
        import neurallog.integrations
        import neurallog.integrations.logging
        import neurallog.integrations.asgi
        import neurallog.integrations.wsgi
        import neurallog.integrations.aws_lambda
        import neurallog.testing
        print(sorted(name for name in {FRAMEWORKS!r} if name in sys.modules))
        """
    )
    assert loaded == "[]"


@pytest.mark.parametrize(
    ("module", "framework", "extra"),
    [
        ("flask", "flask", "flask"),
        ("django", "django", "django"),
        ("fastapi", "fastapi", "fastapi"),
        ("structlog", "structlog", "structlog"),
        ("loguru", "loguru", "loguru"),
        ("celery", "celery", "celery"),
        ("rq", "rq", "rq"),
    ],
)
def test_a_missing_framework_names_the_extra_to_install(
    module: str, framework: str, extra: str
) -> None:
    message = run(
        f"""
        import sys
        sys.modules[{framework!r}] = None  # as if it were not installed
        try:
            import neurallog.integrations.{module}
        except ImportError as exc:
            print(exc)
        """
    )
    assert f"pip install 'neurallog[{extra}]'" in message
    assert framework in message


def test_django_app_package_imports_without_configured_settings() -> None:
    # INSTALLED_APPS = ['neurallog.integrations.django'] imports the package early.
    assert (
        run(
            """
        import neurallog.integrations.django as app
        import neurallog.integrations.django.apps
        print(app.NeuralLogMiddleware.__name__)
        """
        )
        == "NeuralLogMiddleware"
    )
