"""Just enough of the PO format to find entries that are empty or fuzzy."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def label(self) -> str:
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid


def entries(text: str) -> list[Entry]:
    """Every entry of a PO file but its header, in order."""
    found: list[Entry] = []
    entry, target = Entry(), None

    def close():
        nonlocal entry, target
        if entry.msgid or entry.msgstrs:
            found.append(entry)
        entry, target = Entry(), None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            if keyword == "msgid" and (entry.msgid or entry.msgstrs):
                close()  # entries not separated by a blank line
            target = keyword
            if keyword.startswith("msgstr"):
                entry.msgstrs.append("")
        if target == "msgid":
            entry.msgid += value
        elif target == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif target == "msgid_plural":
            entry.plural = (entry.plural or "") + value
        elif target and target.startswith("msgstr"):
            entry.msgstrs[-1] += value
    close()
    return [e for e in found if e.msgid and not e.obsolete]


def untranslated(items: list[Entry]) -> list[str]:
    return [e.label for e in items if not e.msgstrs or any(not s for s in e.msgstrs)]


def fuzzy(items: list[Entry]) -> list[str]:
    return [e.label for e in items if "fuzzy" in e.flags]
