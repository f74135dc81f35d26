# Private to this collection: not a public API, may change without notice.
"""Merge sections and keys into INI text, keeping its comments and order."""

from __future__ import annotations

import re

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_OPTION = re.compile(r"^\s*([^#;=\s][^=]*?)\s*=")


def format_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    return str(value)


def merge_ini(text, overrides):
    """Return `text` with `overrides` ({section: {key: value or None}}) applied.

    The section named "" is the lines before any section header, so files without
    sections (`key = value` lines only, such as rabbitmq.conf) merge the same way.
    """
    lines = text.splitlines()
    # Where each section ends (index after its last non-blank line) and where its keys are.
    sections, keys, current = {"": 0}, {}, ""
    for index, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            current = match.group(1).strip()
            sections.setdefault(current, index + 1)
            continue
        option = _OPTION.match(line)
        if option:
            keys.setdefault((current, option.group(1)), []).append(index)
        if line.strip():
            sections[current] = index + 1

    replace, drop, insert, appended = {}, set(), {}, {}
    for section, options in overrides.items():
        for key, value in options.items():
            found = keys.get((section, key))
            if found:
                if value is None:
                    drop.update(found)
                else:
                    replace[found[0]] = "%s = %s" % (key, format_value(value))
                    drop.update(found[1:])
            elif value is not None:
                if section in sections:
                    insert.setdefault(sections[section], []).append("%s = %s" % (key, format_value(value)))
                else:
                    appended.setdefault(section, []).append("%s = %s" % (key, format_value(value)))

    top = sections[""]
    if top in insert and top < len(lines) and _SECTION.match(lines[top]):
        insert[top].append("")
    out = []
    for index in range(len(lines) + 1):
        out.extend(insert.get(index, []))
        if index == len(lines):
            break
        if index in drop:
            continue
        out.append(replace.get(index, lines[index]))
    for section, options in appended.items():
        if out and out[-1].strip():
            out.append("")
        out.append("[%s]" % section)
        out.extend(options)
    return "\n".join(out) + "\n"
