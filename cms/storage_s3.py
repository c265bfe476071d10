"""S3 media with the private area of cms.storage: `private/…` keys are only reached through the checked view,
which redirects to a short-lived signed URL (`AWS_QUERYSTRING_EXPIRE`)."""

from storages.backends.s3 import S3Storage

from .storage import PrivateRoutingMixin


class S3MediaStorage(PrivateRoutingMixin, S3Storage):
    pass
