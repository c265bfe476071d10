"""Vendor accounts: applications, approval, and the admin rights of a vendor's users.

A vendor's users get a Wagtail group of their own: admin access, add/change (never publish) on the
vendor's page and everything under it, and an image/document collection of their own. Without publish
rights every change of theirs goes through the moderation workflow; stock is changed apart from pages
(see `services.stock`).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail.log_actions import log
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms import locking
from cms.errors import DomainError
from cms.notify import Recipient, Sms, notify_after_commit, user_phone
from cms.phone import is_mobile
from marketplace.errors import MarketplaceCode

from ..models import MODERATORS_GROUP, VendorApplication, VendorIndexPage, VendorMember, VendorPage

APPROVE_PERMISSION = "marketplace.approve_vendor"
# Page permissions a vendor's group holds on its own page (and, by inheritance, its products).
# Deliberately not "publish_page": vendors submit their changes to the moderators.
VENDOR_PAGE_PERMISSIONS = ("add_page", "change_page", "lock_page", "unlock_page")
# Collection permissions on the vendor's own collection: upload, edit and pick its images and documents.
VENDOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)
# Names of data rows that vendors read in the admin ("提交给审核员审批"), so Chinese like the rest of the data;
# migration marketplace 0010 renames the "Moderators approval" workflow and task Wagtail's migrations created.
MODERATION_WORKFLOW_NAME = "审核员审批"


# Group and collection names are data the vendor sees (the image upload's collection list): Chinese.
# Migration marketplace 0012 renamed the earlier "Vendor #12: …" names.
VENDOR_KEY_PREFIX = "商家 #"


def vendor_key(vendor) -> str:
    """The stable start of the names of a vendor's group and collection (titles may change)."""
    return f"{VENDOR_KEY_PREFIX}{vendor.pk}："


def vendor_group(vendor):
    return Group.objects.filter(name__startswith=vendor_key(vendor)).order_by("pk").first()


def vendor_collection(vendor):
    root = Collection.get_first_root_node()
    return root.get_children().filter(name__startswith=vendor_key(vendor)).order_by("pk").first()


def can_review_applications(user) -> bool:
    return bool(user and user.is_active and user.has_perm(APPROVE_PERMISSION))


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _ensure_moderation_workflow(vendor):
    """Wagtail's migrations put a moderators' workflow on the root page; recreate it if removed."""
    if vendor.get_workflow() is not None:
        return
    moderators, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    task = GroupApprovalTask.objects.filter(active=True, groups=moderators).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=MODERATION_WORKFLOW_NAME)
        task.groups.set([moderators])
    workflow = Workflow.objects.filter(active=True, workflow_tasks__task=task).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=MODERATION_WORKFLOW_NAME, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=Page.get_first_root_node(), defaults={"workflow": workflow})


def grant_vendor_access(vendor: VendorPage, user) -> None:
    """Make `user` a member of `vendor`: admin access limited to the vendor's own pages, images and stock.

    Idempotent. Creates the vendor's group, page permissions and image collection when missing.
    """
    with transaction.atomic():
        name = (vendor_key(vendor) + vendor.title)[:150]
        group = vendor_group(vendor)
        if group is None:
            group = Group.objects.create(name=name)
        group.permissions.add(_permission("wagtailadmin", "access_admin"))

        for codename in VENDOR_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=vendor.pk, permission=_permission("wagtailcore", codename)
            )

        collection = vendor_collection(vendor)
        if collection is None:
            collection = Collection.get_first_root_node().add_child(name=name)
        for app_label, codename in VENDOR_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=_permission(app_label, codename)
            )

        _ensure_moderation_workflow(vendor)

        user.groups.add(group)
        _member, created = VendorMember.objects.get_or_create(vendor=vendor, user=user)
        if created:
            log(
                instance=vendor,
                action="marketplace.vendor_member_added",
                data={"user_id": user.pk, "username": user.get_username(), "group": group.name},
            )


# --- applications -------------------------------------------------------------------------------


def _staff_emails():
    permission = _permission("marketplace", "approve_vendor")
    users = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__permissions=permission) | Q(user_permissions=permission),
        is_active=True,
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _email_after_commit(template, context, recipients, sms=None, phone=""):
    """Render now (in the request's language) and send once the transaction commits (cms.notify): the e-mail to
    `recipients`, and `sms` (a cms.notify.Sms) to the applicant's mobile number `phone` as well."""
    subject = render_to_string(f"marketplace/signup/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"marketplace/signup/email/{template}_body.txt", context)
    people = [Recipient(email=r) for r in dict.fromkeys(r for r in recipients if r)]
    if sms is not None and phone:
        people.append(Recipient(phone=phone))
    if people:
        notify_after_commit(people, subject=subject, body=body, sms=sms, work=True)


def _applicant_sms(application, key, text, **params):
    """An SMS to a vendor applicant (to the application's contact phone, else the account's mobile number)."""
    with translation.override(settings.LANGUAGE_CODE):
        params = {"name": application.business_name, **params}
        sms = Sms(key, params, _(text) % params)
    phone = (application.contact_phone or "").strip()
    if not is_mobile(phone):  # a landline cannot receive SMS
        phone = user_phone(application.applicant)
    return {"sms": sms, "phone": phone}


def _check_uscc_free(uscc, exclude_application=None):
    if VendorPage.objects.filter(uscc=uscc).exists():
        raise DomainError(MarketplaceCode.USCC_TAKEN, field="uscc")
    pending = VendorApplication.objects.filter(uscc=uscc, status=VendorApplication.Status.PENDING)
    if exclude_application is not None:
        pending = pending.exclude(pk=exclude_application.pk)
    if pending.exists():
        raise DomainError(MarketplaceCode.DUPLICATE_APPLICATION, field="uscc")


def submit_vendor_application(
    *,
    business_name,
    uscc,
    county,
    kind,
    contact_name,
    contact_phone,
    contact_email,
    description="",
    business_name_en="",
    applicant=None,
    account_email=None,
    password=None,
):
    """Record a business's application to sell. Without `applicant`, creates a login (username = e-mail)."""
    uscc = (uscc or "").strip().upper()
    User = get_user_model()
    try:
        with transaction.atomic():
            _check_uscc_free(uscc)
            if applicant is None:
                account_email = (account_email or "").strip().lower()
                if not account_email or not password:
                    raise DomainError(MarketplaceCode.ACCOUNT_REQUIRED, field="account_email")
                if User.objects.filter(Q(username__iexact=account_email) | Q(email__iexact=account_email)).exists():
                    raise DomainError(MarketplaceCode.ACCOUNT_EXISTS, field="account_email")
                applicant = User.objects.create_user(username=account_email, email=account_email, password=password)
            application = VendorApplication.objects.create(
                business_name=business_name.strip(),
                business_name_en=(business_name_en or "").strip(),
                uscc=uscc,
                county=county,
                kind=kind,
                contact_name=contact_name.strip(),
                contact_phone=contact_phone.strip(),
                contact_email=contact_email.strip(),
                description=description or "",
                applicant=applicant,
            )
            log(
                instance=application,
                action="marketplace.vendor_application_submitted",
                user=applicant,
                data={"uscc": uscc, "business_name": application.business_name},
            )
            context = {"application": application}
            _email_after_commit(
                "application_received",
                context,
                [application.contact_email, applicant.email],
                **_applicant_sms(
                    application,
                    "vendor_application_received",
                    gettext_noop("Your vendor application for %(name)s is received; we will let you know."),
                ),
            )
            _email_after_commit("application_staff", context, _staff_emails())
    except IntegrityError as error:
        # Two submissions racing past the check: the partial unique constraint decides.
        raise DomainError(MarketplaceCode.DUPLICATE_APPLICATION, field="uscc") from error
    return application


def _unique_slug(parent, title, fallback):
    base = slugify(title, allow_unicode=True)[:60] or fallback
    slug, n = base, 2
    while parent.get_children().filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _locked_pending(application, reviewer):
    if not can_review_applications(reviewer):
        raise DomainError(MarketplaceCode.VENDOR_REVIEW_FORBIDDEN)
    application = locking.lock_one(VendorApplication, application.pk)
    if application.status != VendorApplication.Status.PENDING:
        raise DomainError(MarketplaceCode.APPLICATION_ALREADY_REVIEWED, status=application.get_status_display())
    return application


def approve_vendor_application(application, reviewer):
    """Approve: create and publish the vendor's page, give the applicant access, notify them."""
    with transaction.atomic():
        application = _locked_pending(application, reviewer)
        if VendorPage.objects.filter(uscc=application.uscc).exists():
            raise DomainError(MarketplaceCode.USCC_TAKEN, field="uscc")
        market = VendorIndexPage.objects.order_by("path").first()
        if market is None:
            raise DomainError(MarketplaceCode.NO_MARKET)

        vendor = VendorPage(
            title=application.business_name,
            slug=_unique_slug(market, application.business_name_en or application.business_name, "vendor"),
            name_en=application.business_name_en,
            county_id=application.county_id,
            kind=application.kind,
            uscc=application.uscc,
            contact_name=application.contact_name,
            contact_phone=application.contact_phone,
            contact_email=application.contact_email,
            approval_status=VendorPage.Approval.APPROVED,
            owner=application.applicant,
            live=False,
        )
        market.add_child(instance=vendor)
        vendor.save_revision(user=reviewer, log_action=True).publish(user=reviewer)

        grant_vendor_access(vendor, application.applicant)

        application.status = VendorApplication.Status.APPROVED
        application.reviewed_by = reviewer
        application.reviewed_at = timezone.now()
        application.vendor_page = vendor
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "vendor_page"])
        log(
            instance=application,
            action="marketplace.vendor_application_approved",
            user=reviewer,
            data={"vendor_page": vendor.pk},
        )
        log(instance=vendor, action="marketplace.vendor_approved", user=reviewer, data={"application": application.pk})
        _email_after_commit(
            "application_approved",
            {"application": application, "vendor": vendor},
            [application.contact_email, application.applicant.email],
            **_applicant_sms(
                application,
                "vendor_application_approved",
                gettext_noop("%(name)s is approved as a vendor. Log in to add your products: %(link)s"),
                link=settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home"),
            ),
        )
    return vendor


def reject_vendor_application(application, reviewer, reason):
    """Reject with a reason the applicant reads."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(MarketplaceCode.VENDOR_REJECTION_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        application = _locked_pending(application, reviewer)
        application.status = VendorApplication.Status.REJECTED
        application.reviewed_by = reviewer
        application.reviewed_at = timezone.now()
        application.rejection_reason = reason
        application.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
        log(
            instance=application,
            action="marketplace.vendor_application_rejected",
            user=reviewer,
            data={"reason": reason},
        )
        _email_after_commit(
            "application_rejected",
            {"application": application},
            [application.contact_email, application.applicant.email],
            **_applicant_sms(
                application,
                "vendor_application_rejected",
                gettext_noop("The vendor application for %(name)s is not approved. Reason: %(reason)s"),
                reason=reason,
            ),
        )
    return application
