from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .stripe_gateway import WebhookRejected, handle_webhook


@csrf_exempt  # Stripe cannot send a CSRF token; the signature proves the sender instead.
@require_POST
def stripe_webhook(request):
    try:
        result = handle_webhook(request.body, request.META.get("HTTP_STRIPE_SIGNATURE"))
    except WebhookRejected:
        return HttpResponseBadRequest(b"invalid signature", content_type="text/plain")
    return HttpResponse(result.encode(), content_type="text/plain")
