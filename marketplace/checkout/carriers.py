"""The carriers (快递公司) a vendor ships with, and where a buyer follows a parcel.

VendorOrder.carrier stores a carrier's code ("sf"); a value that is not a code (typed before the list, or sent
by an older client) is kept as it was and shown as it is, without a tracking link.

Tracking links open kuaidi100's public query page (快递100, the jump URL it documents for sites linking to a
parcel: https://www.kuaidi100.com/chaxun?com=<company>&nu=<number>) with each carrier's company code: one
stable address per carrier that works without an account, where the carriers' own sites change their query
pages and some need a login or a captcha. Change a template here if a carrier's own page is preferred.
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Carrier:
    code: str
    name: object  # a lazy translation
    tracking_url_template: str
    aliases: tuple = ()

    def tracking_url(self, number):
        number = (number or "").strip()
        return self.tracking_url_template.format(number=quote(number, safe="")) if number else ""


def _kuaidi100(company):
    return "https://www.kuaidi100.com/chaxun?com=" + company + "&nu={number}"


CARRIERS = (
    Carrier("sf", _("SF Express"), _kuaidi100("shunfeng"), ("顺丰", "顺丰速运", "顺丰快递", "sf", "sfexpress")),
    Carrier("zto", _("ZTO Express"), _kuaidi100("zhongtong"), ("中通", "中通快递", "zto", "ztoexpress")),
    Carrier("yto", _("YTO Express"), _kuaidi100("yuantong"), ("圆通", "圆通速递", "圆通快递", "yto", "ytoexpress")),
    Carrier("yunda", _("Yunda Express"), _kuaidi100("yunda"), ("韵达", "韵达快递", "韵达速递", "yunda", "yd")),
    Carrier("sto", _("STO Express"), _kuaidi100("shentong"), ("申通", "申通快递", "sto", "stoexpress")),
    Carrier("jd", _("JD Logistics"), _kuaidi100("jd"), ("京东", "京东快递", "京东物流", "jd", "jdlogistics")),
    Carrier("ems", _("EMS"), _kuaidi100("ems"), ("ems", "中国邮政ems", "邮政ems", "ems快递", "ems特快专递")),
    Carrier(
        "chinapost",
        _("China Post"),
        _kuaidi100("youzhengguonei"),
        ("邮政", "中国邮政", "邮政快递包裹", "邮政包裹", "chinapost", "邮政快递"),
    ),
)
BY_CODE = {carrier.code: carrier for carrier in CARRIERS}


def _key(value):
    return "".join((value or "").split()).lower()


_BY_ALIAS = {_key(alias): carrier for carrier in CARRIERS for alias in (carrier.code, *carrier.aliases)}


def get(value):
    """The Carrier a stored value or a typed name means ("sf", "顺丰", "SF Express"), else None."""
    return _BY_ALIAS.get(_key(value))


def code_for(value):
    """The code of a known carrier (by code or name), else ""."""
    carrier = get(value)
    return carrier.code if carrier else ""


def choices():
    return [(carrier.code, carrier.name) for carrier in CARRIERS]


def display_name(value):
    """A stored carrier as people read it: the translated name of a known one, the text itself otherwise."""
    carrier = BY_CODE.get(value)
    return carrier.name if carrier else value


def tracking_url(value, number):
    """The public tracking page of a parcel, or "" for an unknown carrier or no number."""
    carrier = BY_CODE.get(value)
    return carrier.tracking_url(number) if carrier else ""
