class MarketplaceError(Exception):
    """A refused marketplace operation. `message` is translated and safe to show; `code` is for APIs."""

    def __init__(self, message, code="invalid", field=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
