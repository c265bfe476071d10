"""axe-core in the browser tests: the script (tests/browser/vendor/axe-core/) and the blocking violations of a page."""

from pathlib import Path

AXE = (Path(__file__).resolve().parents[1] / "browser" / "vendor" / "axe-core" / "axe.min.js").read_text(
    encoding="utf-8"
)
# Only "minor" findings are let through.
BLOCKING = {"moderate", "serious", "critical"}
RUN_AXE = """async () => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
        "wcag21aa", "best-practice"]}, resultTypes: ["violations"]});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(" "))}));
}"""


def axe_violations(page):
    # axe is loaded into every page by the context's init script (see the test): an init script is not subject to
    # the site's Content-Security-Policy, which rightly refuses an injected inline <script>.
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
