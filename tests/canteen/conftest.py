import pytest


@pytest.fixture
def goods(make_vendor, make_product, changshan, kecheng, xihu):
    """Products from a mountain county (常山), one that left the list on 2024-08-01 (柯城) and one never on it."""
    mountain_vendor = make_vendor("常山胡柚合作社", changshan, lead_time_days=2)
    kecheng_vendor = make_vendor("柯城农场", kecheng)
    city_vendor = make_vendor("西湖食品", xihu)
    return {
        "huyou": make_product(mountain_vendor, "常山胡柚", "50.00", origin_county=changshan, min_order_quantity=5),
        "canteen_only": make_product(
            mountain_vendor, "胡柚整箱", "40.00", origin_county=changshan, audience="canteens", tiers=[(50, "35.00")]
        ),
        "kecheng": make_product(kecheng_vendor, "柯城椪柑", "30.00", origin_county=kecheng),
        "xihu": make_product(city_vendor, "西湖藕粉", "20.00", origin_county=xihu),
    }
