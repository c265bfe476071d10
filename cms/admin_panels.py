"""Small admin-home components the apps share (the marketplace's and the fairs' dashboard panels)."""

from wagtail.admin.ui.components import Component


class DashboardPanel(Component):
    """One small panel on the admin home: a heading, a count with its sentence, a few items and a link.

    Wagtail sorts the home page's panels by `order` (its own start at 100), so these come first.
    """

    template_name = "cms/admin/dashboard_panel.html"

    def __init__(self, panel_id, heading, *, order, summary="", items=(), link=None, empty="", **extra):
        self.name = panel_id
        self.panel_id = panel_id
        self.heading = heading
        self.order = order
        self.summary = summary
        self.items = list(items)
        self.link = link  # (url, label) or None
        self.empty = empty
        self.extra = extra

    def get_context_data(self, parent_context):
        return {"panel": self, **self.extra}
