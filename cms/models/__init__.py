from .api_tokens import ApiToken
from .pages import CampaignPage, CampaignRelatedPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage
from .privacy import Consent, PrivacyNotice
from .site_settings import FooterLink, SiteSettings
from .sms_codes import SmsCode
from .taxonomy import City, County, Mark, MountainCountyMembership, MountainSeaPair

__all__ = [
    "ApiToken",
    "CampaignPage",
    "CampaignRelatedPage",
    "City",
    "Consent",
    "County",
    "FooterLink",
    "HomePage",
    "Mark",
    "MountainCountyMembership",
    "MountainSeaPair",
    "NewsArticlePage",
    "NewsIndexPage",
    "PrivacyNotice",
    "SiteSettings",
    "SmsCode",
    "StandardPage",
]
