"""The traditional-to-simplified character table, so traditional script cannot evade terms.

The table (data/traditional_characters.tsv, 4,093 characters) is OpenCC's, cut down by
scripts/generate_traditional_table.py to characters that are never right in simplified
text (槍, 號, 佈, 眞): folding them cannot change what a simplified sentence says.
Characters that are also correct simplified characters (乾 in 乾坤, 於, 藉, 瞭 in 瞭望)
are left out, and no fold leads to another folded character, so folding once is enough.
Source and licence: data/SOURCES.md.
"""

from importlib import resources


def _read_table() -> dict[str, str]:
    data = resources.files("beatdesk.checker").joinpath("data", "traditional_characters.tsv")
    table: dict[str, str] = {}
    for line in data.read_text(encoding="utf-8").splitlines():
        character, folded = line.split("\t")
        table[character] = folded
    return table


TRADITIONAL_TO_SIMPLIFIED: dict[str, str] = _read_table()
