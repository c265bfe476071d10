"""`choice_display` (cms_tags) says what Django's get_FOO_display says, in every language, for every choice and
for a value that is not one."""

import pytest
from django.utils.translation import override

from cms.templatetags.cms_tags import choice_display
from events.models import Registration
from marketplace.checkout.models import Order


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("model", [Order, Registration])
def test_choice_display_is_get_field_display(language, model):
    with override(language):
        for value, _label in model._meta.get_field("status").flatchoices:
            row = model(status=value)
            assert choice_display(row, "status") == row.get_status_display()
        odd = model(status="no-such-status")
        assert choice_display(odd, "status") == odd.get_status_display() == "no-such-status"


def test_labels_follow_the_language():
    row = Order(status=Order.Status.PAID)
    with override("en"):
        english = choice_display(row, "status")
    with override("zh-hans"):
        chinese = choice_display(row, "status")
    assert english != chinese
