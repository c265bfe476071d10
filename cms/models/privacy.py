"""Personal information (PIPL): the privacy notice editors keep in the CMS, and the consents people give to it.

The notice is a site setting with a version: every consent records the version it was given to, so a new
version of the notice can be told apart from the one a person agreed to.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField

DEFAULT_NOTICE = (
    "<p>山海集市（以下简称“我们”）依照《中华人民共和国个人信息保护法》处理您的个人信息。</p>"
    "<h3>我们收集哪些信息</h3>"
    "<p>注册账户时：手机号码或电子邮箱、姓名（可选）；下单时：收货人姓名、电话与地址；"
    "报名集市时：报名人姓名、手机号码、同行人姓名（可选）及入场签到时间。</p>"
    "<h3>用于什么目的</h3>"
    "<p>仅用于账户登录、订单配送与售后、集市报名、入场核验及必要的短信通知，不用于其他目的，不向第三方出售。</p>"
    "<h3>保存多久</h3>"
    "<p>集市结束 90 天后，报名人的姓名和手机号码将被遮盖；订单按财务要求保存，注销账户后其中的姓名和电话将被遮盖。</p>"
    "<h3>您的权利</h3>"
    "<p>您可以在“我的账户”中下载您的个人数据或注销账户；如有疑问，请通过页脚的联系方式与我们联系。</p>"
)
DEFAULT_NOTICE_EN = (
    "<p>Shanhai Market (“we”) processes your personal information under the Personal Information Protection "
    "Law of the People's Republic of China.</p>"
    "<h3>What we collect</h3>"
    "<p>For an account: your mobile number or e-mail address and, optionally, your name; for an order: the "
    "recipient's name, phone and address; for a fair registration: the name and mobile number of the person "
    "registering, optionally the names of those coming along, and the check-in time.</p>"
    "<h3>What for</h3>"
    "<p>Only to sign you in, deliver and support your orders, register you for fairs, check tickets at the door "
    "and send the text messages these need. We never sell it to anyone.</p>"
    "<h3>How long</h3>"
    "<p>90 days after a fair ends, attendees' names and mobile numbers are masked. Orders are kept for "
    "accounting; when you delete your account, the name and phone on them are masked.</p>"
    "<h3>Your rights</h3>"
    "<p>On your account page you can download your personal data or delete your account. For questions, "
    "use the contact details in the footer.</p>"
)


@register_setting(icon="doc-full")
class PrivacyNotice(BaseSiteSetting):
    """The privacy notice (隐私政策), linked from every form that collects personal data."""

    body = RichTextField(_("notice"), default=DEFAULT_NOTICE)
    body_en = RichTextField(_("notice (English)"), blank=True, default=DEFAULT_NOTICE_EN)
    version = models.CharField(
        _("version"),
        max_length=20,
        default="1.0",
        help_text=_("Change it whenever the notice changes: every consent records the version it was given to."),
    )
    updated = models.DateField(_("last updated"), default=datetime.date(2026, 12, 1))

    panels = [
        MultiFieldPanel([FieldPanel("version"), FieldPanel("updated")], heading=_("Version")),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")


class Consent(models.Model):
    """One person's explicit consent to the privacy notice, for one purpose: who (an account, or the
    registration it was given for), what purpose, when, and which version of the notice."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("account sign-up")
        FAIR_REGISTRATION = "fair_registration", _("fair registration")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
        verbose_name=_("account"),
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    # What the consent was given for beyond the account, e.g. "events.registration:42" (cms does not know
    # the models of the apps above it, so the subject is a label).
    subject = models.CharField(_("subject"), max_length=100, blank=True, db_index=True)
    notice_version = models.CharField(_("notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.notice_version} · {self.given_at:%Y-%m-%d %H:%M}"
