"""The JSON API at /api/ (django-ninja): the NinjaAPI instance, token and session auth, errors, shared schemas."""

from .api import api, mount

__all__ = ["api", "mount"]
