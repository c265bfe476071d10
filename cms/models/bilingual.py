from django.utils.translation import get_language


class BilingualNameMixin:
    """Content names are Chinese first with an optional English name (`name_en`).

    `display_name` gives the English name on English pages when there is one, else the Chinese.
    """

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def __str__(self):
        return self.name


class BilingualTitleMixin(BilingualNameMixin):
    """For pages whose title is the Chinese name, with an optional English `name_en` field."""

    @property
    def name(self):
        return self.title
