"""Placeholders in a translatable string: what a translation must keep."""

import re

# %(name)s / %(n)d …, positional %s / %d …, and {name} / {0} / {} as str.format() uses them.
NAMED_RE = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifFeEgGxXor]")
POSITIONAL_RE = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[sdifFeEgGxXor]")
BRACE_RE = re.compile(r"\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text):
    text = text.replace("%%", "")
    return {
        "named": sorted(set(NAMED_RE.findall(text))),
        "positional": POSITIONAL_RE.findall(NAMED_RE.sub("", text)),
        "brace": sorted(set(BRACE_RE.findall(text))),
    }
