"""The JSON API at /api/ (django-ninja): the NinjaAPI instance, token and session auth, errors, shared schemas."""

from .api import api, mount, register_domain_error

__all__ = ["api", "mount", "register_domain_error"]
