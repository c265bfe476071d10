"""Ordinary Django views that answer under a Wagtail page (the market's listings, a fair's forms and tickets):
served as Wagtail serves the page itself, behind the page's view restrictions (login, groups or password)."""

from wagtail.wagtail_hooks import check_view_restrictions


def serve_under(page, request, view, *args, **kwargs):
    """`view(request, page, *args, **kwargs)`, or the login / password answer Wagtail gives for `page`."""
    checked = check_view_restrictions(lambda page, request, args, kwargs: view(request, page, *args, **kwargs))
    return checked(page, request, args, kwargs)
