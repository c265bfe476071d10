"""The layer rules (.importlinter, run by `make lint`): kept by the repository, and each one broken by a
deliberate violation injected into a copy of it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "cms", "marketplace", "events", "bench", "tests")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# One violation per contract, each a new module in the copy.
VIOLATIONS = {
    # An upward import inside a function: cms may not know events.
    "cms/_upward.py": "def fairs():\n    from events.models import FairPage\n\n    return FairPage.objects.all()\n",
    # An app importing the benchmark.
    "marketplace/_bench_use.py": "from bench.pages import BenchPage  # noqa: F401\n",
    # events reaching into marketplace's HTML views.
    "events/_html.py": "from marketplace.checkout.views import order_detail  # noqa: F401\n",
    # A cycle between two modules of one app, one side hidden in a function.
    "events/_cycle_a.py": "from events import _cycle_b  # noqa: F401\n",
    "events/_cycle_b.py": "def later():\n    from events import _cycle_a  # noqa: F401\n",
    # A cycle inside one of events' sub-packages.
    "events/registration/_loop_a.py": "from events.registration import _loop_b  # noqa: F401\n",
    "events/registration/_loop_b.py": "def later():\n    from events.registration import _loop_a  # noqa: F401\n",
    # A stall module reaching up to check-in (events' sub-packages are layered).
    "events/stalls/_upward.py": "def door():\n    from events.checkin import services  # noqa: F401\n",
    # checkout asking canteen directly instead of through checkout.extensions.
    "marketplace/checkout/_canteen_use.py": "def units():\n    from marketplace.canteen.models import BuyerUnit\n\n"
    "    return BuyerUnit.objects.all()\n",
    # A runtime module using demo data generators.
    "marketplace/_demo_use.py": "def products():\n    from marketplace.demo import data  # noqa: F401\n",
}


def lint(root):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / ".importlinter")],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_of_repo(tmp_path):
    def only_python(folder, names):
        return [n for n in names if n == "__pycache__" or (Path(folder, n).is_file() and not n.endswith(".py"))]

    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=only_python)
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory):
    root = copy_of_repo(tmp_path_factory.mktemp("repo"))
    for name, source in VIOLATIONS.items():
        (root / name).write_text(source)
    return lint(root)


def test_the_repository_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(broken_copy):
    assert broken_copy.returncode == 1
    out = broken_copy.stdout
    assert "Apps depend one way: events -> marketplace -> cms BROKEN" in out
    assert "cms._upward -> events.models" in out


def test_an_app_importing_bench_is_refused(broken_copy):
    assert "No app imports bench or tests BROKEN" in broken_copy.stdout
    assert "marketplace._bench_use -> bench.pages" in broken_copy.stdout


def test_events_importing_marketplace_views_is_refused(broken_copy):
    out = " ".join(broken_copy.stdout.split())  # the contract's long name is wrapped
    assert "never its views, admin or template tags BROKEN" in out
    assert "events._html -> marketplace.checkout.views" in out


def test_a_cycle_inside_an_app_is_refused(broken_copy):
    out = broken_copy.stdout
    assert "No import cycle inside an app BROKEN" in out
    assert "No cycles are allowed in events." in out and "._cycle_" in out


def test_a_cycle_inside_a_sub_package_of_events_is_refused(broken_copy):
    out = broken_copy.stdout
    assert "No cycles are allowed in events.registration." in out and "._loop_" in out


def test_a_stall_module_importing_check_in_breaks_the_events_layers(broken_copy):
    out = " ".join(broken_copy.stdout.split())  # the contract's long name is wrapped
    assert "events' sub-packages depend one way: checkin -> registration -> fairs -> agreements -> stalls BROKEN" in out
    assert "events.stalls._upward -> events.checkin.services" in out


def test_a_runtime_module_importing_demo_code_is_refused(broken_copy):
    out = " ".join(broken_copy.stdout.split())  # the contract's long name is wrapped
    assert "Runtime modules never import the demo data generators (each app's `demo` package) BROKEN" in out
    assert "marketplace._demo_use -> marketplace.demo.data" in out


def test_checkout_importing_canteen_is_refused(broken_copy):
    out = " ".join(broken_copy.stdout.split())  # the contract's long name is wrapped
    assert "checkout never imports canteen: canteen builds on checkout and plugs in through" in out
    assert "checkout.extensions BROKEN" in out
    assert "marketplace.checkout._canteen_use -> marketplace.canteen.models" in out
