"""Private media: files that only some people may see (canteen receipt photos, invoices).

- Stored under names starting with `private/` (cms.storage): outside MEDIA_ROOT on disk, so `/media/` never
  serves them; on S3 reached only through short-lived signed URLs.
- Kept as Wagtail images and documents in the *private collection* (「私密文件」), which has a log-in view
  restriction: the public API v2 (cms.api) lists nothing from a restricted collection, and Wagtail's document
  view asks for a log-in.
- Handed out only by `serve` (`/private-media/<name>`), which asks every `private_media_access` hook
  (`fn(user, name) -> bool`, registered by the apps that own such files) whether this user may see this file.
  With `PRIVATE_MEDIA_ACCEL_REDIRECT` set (production behind nginx) the view answers with an
  `X-Accel-Redirect` to an internal nginx location instead of streaming the file through Python.
"""

import datetime
import mimetypes
import os
import secrets
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from wagtail import hooks
from wagtail.models import Collection, CollectionViewRestriction

from .storage import PRIVATE_PREFIX, is_private, private_relative

PRIVATE_COLLECTION_NAME = "私密文件 · Private files"
ACCESS_HOOK = "private_media_access"


def private_collection():
    """The collection private images and documents go into (made on first use), with a log-in restriction."""
    with transaction.atomic():
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=PRIVATE_COLLECTION_NAME).first()
        if collection is None:
            collection = root.add_child(name=PRIVATE_COLLECTION_NAME)
        if not CollectionViewRestriction.objects.filter(collection=collection).exists():
            CollectionViewRestriction.objects.create(
                collection=collection, restriction_type=CollectionViewRestriction.LOGIN
            )
    return collection


def private_name(kind, filename):
    """A fresh, unguessable name in the private area, keeping the file's extension."""
    extension = os.path.splitext(filename or "")[1].lower()[:10]
    today = datetime.date.today()
    return f"{PRIVATE_PREFIX}{kind}/{today:%Y/%m}/{secrets.token_urlsafe(16)}{extension}"


def store_private_image(kind, upload, *, title, user=None):
    """Save an (already validated) image upload as a Wagtail image in the private collection."""
    from wagtail.images import get_image_model

    upload.seek(0)
    name = default_storage.save(private_name(kind, upload.name), upload)
    image = get_image_model()(
        title=str(title)[:255],
        file=name,
        collection=private_collection(),
        uploaded_by_user=user if getattr(user, "is_authenticated", False) else None,
    )
    image._set_image_file_metadata()
    image.save()
    return image


def store_private_document(kind, upload, *, title, user=None):
    """Save an (already validated) upload as a Wagtail document in the private collection."""
    from wagtail.documents import get_document_model

    upload.seek(0)
    name = default_storage.save(private_name(kind, upload.name), upload)
    document = get_document_model()(
        title=str(title)[:255],
        file=name,
        collection=private_collection(),
        uploaded_by_user=user if getattr(user, "is_authenticated", False) else None,
    )
    document.file_size = document.file.size
    document._set_file_hash()
    document.save()
    return document


def may_see(user, name):
    if not (user and user.is_authenticated and user.is_active):
        return False
    if name.startswith(PRIVATE_RENDITIONS):
        # A rendition (thumbnail) of a private image: whoever may see the image may see it.
        name = rendition_source(name)
        if name is None:
            return False
    return any(fn(user, name) for fn in hooks.get_hooks(ACCESS_HOOK))


# -- renditions of private images --------------------------------------------------------------------------------

# Wagtail names renditions "images/<source name>.<filter>.<ext>"; those of a private image get this prefix, so they
# are stored in the private area and reached only through `serve`.
PRIVATE_RENDITIONS = PRIVATE_PREFIX + "images/"


def _rendition_model():
    from wagtail.images import get_image_model

    return get_image_model().get_rendition_model()


def rendition_source(name):
    """The file name of the image a private rendition was made from (None when there is no such rendition)."""
    rendition = _rendition_model().objects.filter(file=name).select_related("image").first()
    return rendition.image.file.name if rendition else None


def install_private_renditions():
    """Make Wagtail store renditions of private images (receipt photos) in the private area.

    Wagtail names a rendition with `Rendition.get_upload_to` ("images/…", public media) whatever its image;
    there is no setting for it short of a custom image model (a migration of every image). Wrapped here, called
    once from CmsConfig.ready(): a rendition whose image file is private goes under `private/images/`.
    """
    model = _rendition_model()
    original = model.get_upload_to
    if getattr(original, "private_renditions", False):
        return

    def get_upload_to(self, filename):
        name = original(self, filename)
        image = self.image if self.image_id else None
        if image is not None and is_private(image.file.name) and not is_private(name):
            return PRIVATE_PREFIX + name
        return name

    get_upload_to.private_renditions = True
    model.get_upload_to = get_upload_to


def delete_public_renditions_of_private_images():
    """Renditions of private images made before `install_private_renditions` were public files: delete them
    (and their files); Wagtail makes private ones again when they are next asked for. Returns how many."""
    stale = list(
        _rendition_model()
        .objects.filter(image__file__startswith=PRIVATE_PREFIX)
        .exclude(file__startswith=PRIVATE_PREFIX)
    )
    for rendition in stale:
        rendition.file.delete(save=False)
        rendition.delete()
    return len(stale)


def refuse(request):
    """Anonymous visitors are sent to log in; everyone else learns nothing (404, as for a missing file)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404


def file_response(name, *, download_name=None):
    """The file itself, for someone already allowed: X-Accel-Redirect, a signed S3 URL, or streamed."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        path = None
    except SuspiciousFileOperation as error:
        raise Http404 from error
    if path is None:
        direct_url = getattr(default_storage, "direct_url", None)
        if direct_url is None:
            raise Http404
        return redirect(direct_url(name))
    if not os.path.isfile(path):
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    accel = getattr(settings, "PRIVATE_MEDIA_ACCEL_REDIRECT", "")
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(private_relative(name))
    else:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 (closed by Django)
    inline = content_type.startswith("image/") or content_type == "application/pdf"
    filename = download_name or os.path.basename(name)
    response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
def serve(request, name):
    if ".." in name.replace("\\", "/").split("/") or name.startswith("/"):
        raise Http404
    name = PRIVATE_PREFIX + name
    if not may_see(request.user, name):
        return refuse(request)
    return file_response(name)


def serve_private_document(document, request):
    """`before_serve_document` hook: a document in the private area is served only through the same check."""
    if not is_private(document.file.name):
        return None
    if not may_see(request.user, document.file.name):
        return refuse(request)
    response = file_response(document.file.name, download_name=document.filename)
    if isinstance(response, HttpResponse):  # X-Accel-Redirect or a redirect to a signed URL
        return response
    # A streamed file is not an HttpResponse, which is all a hook may return: Wagtail streams it instead. Close
    # only the file: response.close() would send request_finished in the middle of the request, which closes
    # the database connection (and, in a transaction, loses it).
    stream = getattr(response, "file_to_stream", None)
    if stream is not None:
        stream.close()
    return None


def public_media_filter(queryset):
    """Images or documents outside every collection with a view restriction and outside the private area."""
    restricted = CollectionViewRestriction.objects.values_list("collection__path", flat=True)
    for path in set(restricted):
        queryset = queryset.exclude(collection__path__startswith=path)
    return queryset.exclude(file__startswith=PRIVATE_PREFIX)


# -- files put into a restricted collection through Wagtail's own forms ------------------------------------------


def in_restricted_collection(collection_id):
    """Whether this collection, or one it sits in, has a view restriction (the private collection among them)."""
    path = Collection.objects.filter(pk=collection_id).values_list("path", flat=True).first()
    if path is None:
        return False
    restricted = CollectionViewRestriction.objects.values_list("collection__path", flat=True)
    return any(path.startswith(prefix) for prefix in restricted)


def keep_private(sender, instance, **kwargs):
    """post_save of images and documents: a file stored in the public area while its collection is restricted
    (an editor's upload through Wagtail's image or document form) moves to the private area, its old file and
    any public thumbnails deleted, so `/media/` never serves it."""
    name = instance.file.name if instance.file else ""
    if not name or is_private(name) or not in_restricted_collection(instance.collection_id):
        return
    with default_storage.open(name, "rb") as content:
        # Not under private/images/: that is where thumbnails of private images go (PRIVATE_RENDITIONS).
        moved = default_storage.save(private_name(f"collections/{sender._meta.model_name}s", name), content)
    type(instance).objects.filter(pk=instance.pk).update(file=moved)
    instance.file.name = moved
    renditions = getattr(instance, "renditions", None)
    if renditions is not None:
        for rendition in renditions.all():
            rendition.file.delete(save=False)
            rendition.delete()
    default_storage.delete(name)


def editor_may_see(user, name):
    """`private_media_access`: an image or document an editor put into a restricted collection is seen by whoever
    may choose or change it in the admin (Wagtail's collection permissions)."""
    from wagtail.documents import get_document_model
    from wagtail.documents.permissions import permission_policy as document_policy
    from wagtail.images import get_image_model
    from wagtail.images.permissions import permission_policy as image_policy

    for model, policy in ((get_image_model(), image_policy), (get_document_model(), document_policy)):
        item = model.objects.filter(file=name).first()
        if item is not None:
            return any(policy.user_has_permission_for_instance(user, action, item) for action in ("choose", "change"))
    return False


def connect_restricted_collections():
    """From CmsConfig.ready(): images and documents saved into restricted collections are kept private."""
    from django.db.models.signals import post_save
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    for model in (get_image_model(), get_document_model()):
        post_save.connect(keep_private, sender=model, dispatch_uid=f"keep-private-{model._meta.label}")
    hooks.register(ACCESS_HOOK, editor_may_see)
