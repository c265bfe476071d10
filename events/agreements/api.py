"""Purchase agreements in the JSON API: a fair's agreements for its organisers (all) and for the parties (their
own: the vendor's members, the canteen unit's members), with lines and progress. Thin caller of
events.agreements.services; a refused operation (DomainError) answers with the status from events.errors."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from cms.json_api.schemas import ERROR_401, ERROR_404
from events.agreements import services as agreements
from events.models import FairPage

router = Router(tags=["fair agreements"])


class AgreementLineOut(Schema):
    product: int | None = Field(description="The vendor's product page id, when the line names one")
    item_name: str
    quantity: str = Field(description='Decimal, e.g. "500.00"')
    unit: str
    unit_price: str = Field(description='CNY, e.g. "8.00"')
    amount: str


class AgreementOut(Schema):
    id: int
    fair: int
    vendor: int
    vendor_name: str
    buyer_unit: int | None = Field(description="The canteen buyer unit's id; null for a distributor or company")
    buyer_name: str
    status: str = Field(description="signed or cancelled")
    signed_on: str
    delivery_from: str
    delivery_to: str
    total: str = Field(description="CNY")
    ordered: str = Field(description="CNY ordered so far through unit orders against the agreement")
    delivered: str = Field(description="CNY of those orders the unit has received")
    progress_percent: int = Field(description="ordered as a whole percentage of the total")
    lines: list[AgreementLineOut]


def agreement_out(agreement):
    progress = agreement.progress
    return {
        "id": agreement.pk,
        "fair": agreement.fair_id,
        "vendor": agreement.vendor_id,
        "vendor_name": agreement.vendor.display_name,
        "buyer_unit": agreement.buyer_unit_id,
        "buyer_name": agreement.buyer_display_name,
        "status": agreement.status,
        "signed_on": agreement.signed_on.isoformat(),
        "delivery_from": agreement.delivery_from.isoformat(),
        "delivery_to": agreement.delivery_to.isoformat(),
        "total": f"{agreement.total:.2f}",
        "ordered": f"{progress.ordered:.2f}",
        "delivered": f"{progress.delivered:.2f}",
        "progress_percent": progress.percent,
        "lines": [
            {
                "product": line.product_id,
                "item_name": line.item_name,
                "quantity": f"{line.quantity:.2f}",
                "unit": line.unit,
                "unit_price": f"{line.unit_price:.2f}",
                "amount": f"{line.amount:.2f}",
            }
            for line in agreement.lines.all()
        ],
    }


@router.get(
    "fairs/{fair_id}/agreements/",
    response={200: list[AgreementOut], **ERROR_401, **ERROR_404},
    operation_id="fair_agreements",
    summary="Purchase agreements signed at a fair (organisers: all; vendors and canteen units: their own)",
)
def fair_agreements(request, fair_id: int):
    fair = get_object_or_404(FairPage.objects.live(), pk=fair_id)
    visible = agreements.visible_to(request.auth).filter(fair=fair).prefetch_related("lines")
    return [agreement_out(a) for a in agreements.with_progress(visible.order_by("-signed_on", "-pk"))]
