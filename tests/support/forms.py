"""Posting HTML forms like a browser: read a rendered form's fields, change them, post them back."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    """Collects what a browser would submit from the form with the given id (no JavaScript)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.depth = 0  # >0 while inside the form
        self.data = []
        self._select = None
        self._select_options = []
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.depth or attrs.get("id") == self.form_id:
                self.depth += 1
            return
        if not self.depth:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs)
            self._select_options = []
        elif tag == "option" and self._select:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
            self._select_options.append(self._option)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            values = [(v if v is not None else text) for v, selected, text in self._select_options if selected]
            if not values and not multiple and self._select_options:
                first = self._select_options[0]
                values = [first[0] if first[0] is not None else first[2]]
            self.data.extend((name, v) for v in values)
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = self._textarea[1]
            self.data.append((self._textarea[0], text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(html, form_id="page-edit-form"):
    """The fields of a rendered form as a dict of lists, ready to change and post."""
    parser = _FormParser(form_id)
    parser.feed(html)
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data
