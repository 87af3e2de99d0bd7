"""Every value in a bundled scenario file cites a tag of ``docs/sources.md``.

The scenario files state where each value comes from in comments that carry a tag: [C]
one public source, [C2] two or more, [D] derived from the record, [L] the peacekeeping
literature, [A] an assumption. A value is covered when

- a comment on its own line carries a tag (for a value spanning several lines, a
  comment on any of them), or
- the contiguous block of comment lines above it carries a tag. A block covers the run
  of key lines that follows it, up to a blank line, a table header or the next comment
  block. A block directly above a table header (no blank line between) covers the run
  of key lines that opens that table (the files use this for a note on a contributor
  written above its ``[[deployment.contributors]]`` header).

Keys that only name, select or switch something state nothing about the record and are
exempt (:data:`EXEMPT`). The files are scanned line by line; ``tomllib`` loads each file
too, and the keys found by the scan must be exactly the keys of the loaded document.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
SCENARIO_FILES = sorted(
    [*(ROOT / "scenarios").glob("*.toml"), *(ROOT / "examples" / "scenarios").glob("*.toml")]
)

TAGS = frozenset({"[C]", "[C2]", "[D]", "[L]", "[A]"})
"""The tags a comment may cite."""

TAG = re.compile(r"\[(?:C2|C|D|L|A)\]")
TAG_LIKE = re.compile(r"\[[A-Z][A-Z0-9]*\]")
"""Anything written like a tag, defined or not."""

EXEMPT = frozenset(
    {
        # Labels: they name the scenario, a draft or a donor, or describe a step in words.
        "name",
        "description",
        "id",
        # File structure: the scenario a file builds on.
        "extends",
        # References to an entry defined elsewhere (a contributor's or member's country
        # code, a donor's name, a draft's id, an endorsing body, the donor that supplies
        # airlift); what the entry does is cited where it is defined.
        "country",
        "donor",
        "member",
        "draft",
        "body",
        "supplied_by",
        # Selectors of a mechanism: the kind of draft, shock, condition or request, the
        # context factor and the members and draft kinds an effect applies to, the voting
        # rule and the funding model (which account pays which cost). The sizes, dates and
        # probabilities that go with them carry the claim.
        "kind",
        "factor",
        "members",
        "kinds",
        "rule",
        "funding_model",
        # The period simulated is the question asked, not a statement about the record.
        "start",
        "horizon_months",
        # On/off switches of the security model's feedback; their sizes carry the claim.
        "security.feedback.council",
        "security.feedback.donors",
        "security.feedback.contributors",
    }
)
"""Keys exempt from citing a tag: a bare key name, or a table and key as ``table.key``."""

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_KEY = re.compile(rf"\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_DOT = re.compile(rf"\s*({_PART})\s*(?:\.|$)")


@dataclass(frozen=True, slots=True)
class Value:
    """A key and its value as written in a scenario file."""

    line: int
    """The line of the key, counted from 1."""
    table: str
    """The table it belongs to (``""`` for the top level)."""
    key: str
    """The key as written, dotted parts joined by ``.``."""
    covered: bool
    """Whether a tag covers it."""

    @property
    def exempt(self) -> bool:
        """Whether the key is exempt from citing a tag."""
        return self.key in EXEMPT or f"{self.table}.{self.key}" in EXEMPT


@dataclass(frozen=True, slots=True)
class Header:
    """A table header: ``[name]``, or ``[[name]]`` for an element of an array of tables."""

    line: int
    name: str
    array: bool


def _parts(dotted: str) -> list[str]:
    """The parts of a dotted key or table name, without quotes."""
    parts = []
    for part in _DOT.findall(dotted):
        parts.append(part[1:-1] if part[:1] in "\"'" else part)
    return parts


def _split(line: str, depth: int, multiline: str | None) -> tuple[str, str, int, str | None]:
    """Split a line into code and comment.

    Returns the code, the comment (without ``#``), the bracket depth at the end of the
    line and the delimiter of a multi-line string still open at its end. Brackets and
    ``#`` inside strings do not count.
    """
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if multiline is not None:
            if multiline == '"""' and c == "\\":
                i += 2
            elif line.startswith(multiline, i):
                i += 3
                multiline = None
            else:
                i += 1
        elif c == "#":
            return line[:i], line[i + 1 :], depth, None
        elif line.startswith('"""', i) or line.startswith("'''", i):
            multiline = line[i : i + 3]
            i += 3
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif c == "'":
            end = line.find("'", i + 1)
            i = n if end < 0 else end + 1
        else:
            depth += (c in "[{") - (c in "]}")
            i += 1
    return line, "", depth, multiline


def scan(text: str) -> tuple[list[Value], list[Header]]:
    """The values and table headers of a TOML text, with whether a tag covers each value."""
    values: list[Value] = []
    headers: list[Header] = []
    lines = text.splitlines()
    table = ""
    block_tagged = False  # the tag status of the comment block covering the current run
    previous = "blank"  # the kind of the previous line: blank, comment, header or key
    i = 0
    while i < len(lines):
        number = i + 1
        stripped = lines[i].strip()
        if not stripped:
            block_tagged, previous = False, "blank"
            i += 1
        elif stripped.startswith("#"):
            tagged = bool(TAG.search(stripped))
            block_tagged = block_tagged or tagged if previous == "comment" else tagged
            previous = "comment"
            i += 1
        elif stripped.startswith("["):
            code = _split(stripped, 0, None)[0].strip()
            array = code.startswith("[[")
            table = code.strip("[] \t")
            headers.append(Header(number, table, array))
            if previous != "comment":
                block_tagged = False
            previous = "header"
            i += 1
        else:
            match = _KEY.match(lines[i])
            if match is None:
                raise ValueError(f"line {number}: neither a key, a table, a comment nor blank")
            key = ".".join(_parts(match.group(1)))
            code, comment, depth, multiline = _split(lines[i], 0, None)
            comments = [comment]
            while depth > 0 or multiline is not None:  # the value goes on to the next line
                i += 1
                if i == len(lines):
                    raise ValueError(f"line {number}: the value of {key} is not closed")
                code, comment, depth, multiline = _split(lines[i], depth, multiline)
                comments.append(comment)
            own = any(TAG.search(c) for c in comments)
            values.append(Value(number, table, key, own or block_tagged))
            previous = "key"
            i += 1
    return values, headers


def uncovered(text: str) -> list[Value]:
    """The values of a TOML text that are neither exempt nor covered by a tag."""
    return [v for v in scan(text)[0] if not v.covered and not v.exempt]


def _loaded_keys(text: str) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """The keys the scan finds and the keys ``tomllib`` loads, by (id of table, key).

    The scan's headers are replayed on the loaded document to find each value's table; an
    array of tables advances to its next element at each ``[[...]]`` header.
    """
    document = tomllib.loads(text)
    values, headers = scan(text)
    cursor: dict[int, int] = {}
    found: set[tuple[int, str]] = set()
    events: list[Header | Value] = sorted([*values, *headers], key=lambda e: e.line)
    current: dict[str, Any] = document
    for event in events:
        if isinstance(event, Header):
            node: Any = document
            parts = _parts(event.name)
            for j, part in enumerate(parts):
                node = node[part]
                if isinstance(node, list):
                    if event.array and j == len(parts) - 1:
                        cursor[id(node)] = cursor.get(id(node), -1) + 1
                    node = node[cursor.get(id(node), len(node) - 1)]
            current = node
        else:
            node = current
            parts = _parts(event.key)
            for part in parts[:-1]:
                node = node[part]
            assert parts[-1] in node, f"line {event.line}: {event.key} not in the document"
            found.add((id(node), parts[-1]))
    loaded: set[tuple[int, str]] = set()

    def walk(table: dict[str, Any]) -> None:
        for key, value in table.items():
            if (id(table), key) in found:
                continue
            children = value if isinstance(value, list) else [value]
            if children and all(isinstance(c, dict) for c in children):
                for child in children:
                    walk(child)
            else:
                loaded.add((id(table), key))

    walk(document)
    return found, loaded | found


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=_relative)
def test_every_value_cites_a_tag(path: Path) -> None:
    missing = uncovered(path.read_text(encoding="utf-8"))
    where = [
        f"{_relative(path)}:{v.line}: {v.key}" + (f" (table {v.table})" if v.table else "")
        for v in missing
    ]
    if missing:
        pytest.fail(
            f"{len(missing)} value(s) cite no tag of docs/sources.md (add one in a comment on "
            "the line or in the comment block above):\n" + "\n".join(where),
            pytrace=False,
        )


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=_relative)
def test_the_scan_finds_the_keys_tomllib_loads(path: Path) -> None:
    found, loaded = _loaded_keys(path.read_text(encoding="utf-8"))
    assert found == loaded, f"{_relative(path)}: the scan and tomllib disagree on the keys"


def test_there_are_scenario_files() -> None:
    names = {_relative(p) for p in SCENARIO_FILES}
    assert {"scenarios/gsf_2025.toml", "examples/scenarios/gsf_full_strength.toml"} <= names


def _defined_tags() -> set[str]:
    """The tags of the table at the top of ``docs/sources.md``."""
    text = SOURCES.read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*(\[[A-Z][A-Z0-9]*\])\s*\|", text, flags=re.MULTILINE))


def test_every_tag_used_is_defined_in_sources() -> None:
    defined = _defined_tags()
    used: dict[str, str] = {}
    for path in SCENARIO_FILES:
        depth, multiline = 0, None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            _, comment, depth, multiline = _split(line, depth, multiline)
            for tag in TAG_LIKE.findall(comment):
                used.setdefault(tag, f"{_relative(path)}:{number}")
    undefined = {tag: where for tag, where in used.items() if tag not in defined}
    assert used, "no tags found in the scenario files"
    assert not undefined, f"tags not defined in docs/sources.md: {undefined}"


def test_the_checker_knows_the_tags_of_sources() -> None:
    assert _defined_tags() == TAGS


CHECKER_EXAMPLE = """\
# A file-level note [C].

[mandate]
# Res 2699: 12 months [C2].
expiry = 2024-10-02
ceiling = 2500
active = true               # no tag here, but the block above covers it

horizon = 12
funding_model = "voluntary"
lags = [
    1, 2,   # a comment inside the array [A]
    3,
]
members = [
    "A", "B",
]
size = [0.1, 0.2]           # [D] [L]
# Text without a tag.
pledged = 100

# A note on the table below [A].
[[contributors]]
wave_size = 200
# Its own block, untagged.
tour_months = 7
"""


def test_the_checker_reports_what_cites_no_tag() -> None:
    assert tomllib.loads(CHECKER_EXAMPLE)["mandate"]["lags"] == [1, 2, 3]
    values, headers = scan(CHECKER_EXAMPLE)
    assert [(v.line, v.key) for v in values] == [
        (5, "expiry"),
        (6, "ceiling"),
        (7, "active"),
        (9, "horizon"),
        (10, "funding_model"),
        (11, "lags"),
        (15, "members"),
        (18, "size"),
        (20, "pledged"),
        (24, "wave_size"),
        (26, "tour_months"),
    ]
    assert [(h.line, h.name, h.array) for h in headers] == [
        (3, "mandate", False),
        (23, "contributors", True),
    ]
    # The file-level note does not reach past the blank line; a multi-line array is one
    # value, covered by a tag on any of its lines; members and funding_model are exempt.
    assert [(v.line, v.key) for v in uncovered(CHECKER_EXAMPLE)] == [
        (9, "horizon"),
        (20, "pledged"),
        (26, "tour_months"),
    ]
    found, loaded = _loaded_keys(CHECKER_EXAMPLE)
    assert found == loaded and len(found) == 11
