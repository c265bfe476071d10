"""Media storage with a private area.

Files whose name starts with `private/` (canteen receipt photos, invoices) are kept apart from the public
media: on local disk under `PRIVATE_MEDIA_ROOT`, outside `MEDIA_ROOT` and so outside `/media/`; on S3 under
the `private/` prefix of the bucket, reached only through signed URLs. Their `url()` is the permission-checked
view `/private-media/<name>` (cms.private_media), never a direct link.
"""

import os
import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils._os import safe_join

PRIVATE_PREFIX = "private/"


def is_private(name):
    return bool(name) and str(name).replace("\\", "/").startswith(PRIVATE_PREFIX)


def private_relative(name):
    """'private/receipts/x.png' → 'receipts/x.png' (the part under the private root)."""
    return posixpath.normpath(str(name).replace("\\", "/")[len(PRIVATE_PREFIX) :])


class PrivateRoutingMixin:
    def url(self, name, *args, **kwargs):
        if is_private(name):
            return reverse("private_media", kwargs={"name": private_relative(name)})
        return super().url(name, *args, **kwargs)

    def direct_url(self, name, *args, **kwargs):
        """The storage's own URL (a signed one on S3): only for the checked view to redirect to."""
        return super().url(name, *args, **kwargs)


class MediaStorage(PrivateRoutingMixin, FileSystemStorage):
    """Local media: public names under MEDIA_ROOT, `private/…` names under PRIVATE_MEDIA_ROOT."""

    def path(self, name):
        if is_private(name):
            return safe_join(str(settings.PRIVATE_MEDIA_ROOT), private_relative(name))
        return super().path(name)

    def _save(self, name, content):
        saved = super()._save(name, content)
        if not is_private(name):
            return saved
        # FileSystemStorage names the file relative to MEDIA_ROOT; name it in the private area again.
        full_path = os.path.normpath(os.path.join(self.location, saved))
        relative = os.path.relpath(full_path, os.path.abspath(settings.PRIVATE_MEDIA_ROOT))
        return PRIVATE_PREFIX + relative.replace(os.sep, "/")
