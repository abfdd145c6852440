"""Home dashboard, profile, language switch and the health check."""

from workhub.main.views import bp

__all__ = ["bp"]
