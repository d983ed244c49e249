#!/usr/bin/env python3
"""Writes the bad configs of tests/models/config_test.cpp, one file each, into a folder.

The corpus there is C++: entries {"description", <JSON as string literals and macros>, Stage::...}
with the macros #defined above it. This reads the string literals as the compiler would (raw
R"d(...)d" and ordinary "..." literals, adjacent ones concatenated, macros expanded), so the fuzz
seeds follow the test file without a copy kept by hand.

    python3 bad_configs.py CONFIG_TEST_CPP OUT_DIR     prints the number of files written
"""
import re
import sys
from pathlib import Path

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0", "?": "?"}


def tokens(text):
    """C++ tokens that matter here: ("str", value), ("id", name), ("punct", char). Comments skipped."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else n
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
        elif c.isspace():
            i += 1
        elif text.startswith('R"', i):
            open_paren = text.index("(", i)
            delimiter = text[i + 2:open_paren]
            close = text.index(")" + delimiter + '"', open_paren)
            yield ("str", text[open_paren + 1:close])
            i = close + len(delimiter) + 2
        elif c == '"':
            value, i = [], i + 1
            while text[i] != '"':
                if text[i] == "\\":
                    value.append(ESCAPES.get(text[i + 1], text[i + 1]))
                    i += 2
                else:
                    value.append(text[i])
                    i += 1
            yield ("str", "".join(value))
            i += 1
        elif c.isalnum() or c == "_":
            m = re.compile(r"\w+").match(text, i)
            yield ("id", m.group())
            i = m.end()
        else:
            yield ("punct", c)
            i += 1


def macros(text):
    found = {}
    for m in re.finditer(r"^#define (\w+) (.*)$", text, re.M):
        parts = list(tokens(m.group(2)))
        if parts and all(kind == "str" for kind, _ in parts):
            found[m.group(1)] = "".join(value for _, value in parts)
    return found


def bad_configs(text):
    defined = macros(text)
    start = text.index("corpus() {")
    body = list(tokens(text[start:text.index("return cases;", start)]))
    configs = []
    for k in range(len(body) - 3):
        # { "description" , <pieces> , Stage
        if body[k] != ("punct", "{") or body[k + 1][0] != "str" or body[k + 2] != ("punct", ","):
            continue
        pieces, j = [], k + 3
        while body[j][0] == "str" or (body[j][0] == "id" and body[j][1] in defined):
            pieces.append(body[j][1] if body[j][0] == "str" else defined[body[j][1]])
            j += 1
        if pieces and body[j] == ("punct", ",") and body[j + 1] == ("id", "Stage"):
            configs.append((body[k + 1][1], "".join(pieces)))
    return configs


def main():
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    configs = bad_configs(source.read_text())
    if not configs:
        sys.exit(f"{source}: no bad configs found (has the corpus changed shape?)")
    for number, (_, json) in enumerate(configs):
        (out / f"bad_config_{number:03d}.json").write_text(json)
    print(len(configs))


if __name__ == "__main__":
    main()
