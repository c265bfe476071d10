"""Public vendor sign-up: the application form and the "thank you" page. Thin: the service decides."""

from django.contrib.auth import login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from cms.accounts.backends import BACKEND
from cms.errors import DomainError

from .models import VendorApplication
from .services.vendors import submit_vendor_application
from .signup_forms import VendorApplicationForm


@never_cache
def apply(request):
    form = VendorApplicationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = submit_vendor_application(
                business_name=data["business_name"],
                business_name_en=data["business_name_en"],
                uscc=data["uscc"],
                county=data["county"],
                kind=data["kind"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                description=data["description"],
                applicant=form.user,
                account_email=data.get("account_email"),
                password=data.get("password"),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if form.user is None:
                login(request, application.applicant, backend=BACKEND)
            request.session["vendor_application_id"] = application.pk
            return redirect("vendor_apply_done")
    return TemplateResponse(request, "marketplace/signup/apply.html", {"form": form})


@never_cache
def apply_done(request):
    application = None
    if request.user.is_authenticated:
        application = (
            VendorApplication.objects.filter(applicant=request.user).select_related("county").order_by("-pk").first()
        )
    return TemplateResponse(request, "marketplace/signup/done.html", {"application": application})
