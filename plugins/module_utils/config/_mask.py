# Private to this collection: not a public API, may change without notice.
"""Secret values in configuration text replaced by a mask, for diffs that show
which option changed without showing what a secret is."""

from __future__ import annotations

import re

MASK = "********"
# Options whose value is a secret, or holds one (a URL with credentials).
SECRET_OPTION = re.compile(r"(password|secret|token|_key|^key|transport_url|connection)$", re.I)
_OPTION = re.compile(r"^(\s*)([^#;=\s][^=]*?)(\s*=\s*)(.*)$")
# user:password@ in a URL, on any line.
_URL_CREDENTIALS = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def mask_line(line):
    match = _OPTION.match(line)
    if match and SECRET_OPTION.search(match.group(2)) and match.group(4):
        return "%s%s%s%s" % (match.group(1), match.group(2), match.group(3), MASK)
    return _URL_CREDENTIALS.sub(r"\g<1>%s@" % MASK, line)


def mask_text(text):
    """text with every secret option's value and every URL's password masked."""
    return "\n".join(mask_line(line) for line in text.split("\n"))
