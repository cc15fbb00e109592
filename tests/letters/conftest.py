import pytest

from tests.letters.smtp import SMTPServer


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield server.recorder
