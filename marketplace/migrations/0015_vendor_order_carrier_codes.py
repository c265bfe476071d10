"""Shipped parts' carriers become codes from marketplace/checkout/carriers.py ("顺丰" → "sf").

Text that names no known carrier stays as it was (shown as it is, without a tracking link). The names are
copied here, not imported, so that this migration keeps meaning what it meant when carriers.py changes.
"""

from django.db import migrations

CODES = {
    "sf": ("顺丰", "顺丰速运", "顺丰快递", "sf", "sfexpress"),
    "zto": ("中通", "中通快递", "zto", "ztoexpress"),
    "yto": ("圆通", "圆通速递", "圆通快递", "yto", "ytoexpress"),
    "yunda": ("韵达", "韵达快递", "韵达速递", "yunda", "yd"),
    "sto": ("申通", "申通快递", "sto", "stoexpress"),
    "jd": ("京东", "京东快递", "京东物流", "jd", "jdlogistics"),
    "ems": ("ems", "中国邮政ems", "邮政ems", "ems快递", "ems特快专递"),
    "chinapost": ("邮政", "中国邮政", "邮政快递包裹", "邮政包裹", "chinapost", "邮政快递"),
}
NAMES = {"sf": "顺丰", "zto": "中通", "yto": "圆通", "yunda": "韵达", "sto": "申通", "jd": "京东", "ems": "EMS", "chinapost": "邮政"}
BY_ALIAS = {alias: code for code, aliases in CODES.items() for alias in aliases}


def _key(value):
    return "".join((value or "").split()).lower()


def to_codes(apps, schema_editor):
    VendorOrder = apps.get_model("marketplace", "VendorOrder")
    for part in VendorOrder.objects.exclude(carrier="").only("pk", "carrier").iterator():
        code = BY_ALIAS.get(_key(part.carrier))
        if code and code != part.carrier:
            VendorOrder.objects.filter(pk=part.pk).update(carrier=code)


def to_names(apps, schema_editor):
    VendorOrder = apps.get_model("marketplace", "VendorOrder")
    for code, name in NAMES.items():
        VendorOrder.objects.filter(carrier=code).update(carrier=name)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0014_order_idempotency_fingerprint")]

    operations = [migrations.RunPython(to_codes, to_names)]
