"""Normalize a message and cut it into the character n-grams the linear model reads."""

import unicodedata

# Only the beginning of a long message feeds the model, which keeps prediction fast; the
# rules read the whole message.
MAX_MODEL_CHARACTERS = 400
NGRAM_SIZES = (1, 2, 3)
START = "\u0002"
END = "\u0003"


def fold(text: str) -> str:
    """Fold width and case character by character, so offsets stay those of `text`."""
    folded = []
    for character in text:
        normal = unicodedata.normalize("NFKC", character)
        normal = normal if len(normal) == 1 else character
        lower = normal.lower()
        folded.append(lower if len(lower) == 1 else normal)
    return "".join(folded)


def _model_character(character: str) -> str:
    if character.isdigit():
        return "0"
    category = unicodedata.category(character)
    if character.isspace() or category.startswith("P") or category.startswith("Z"):
        return " "
    return character


def model_text(text: str) -> str:
    """Return the text as the model sees it: folded, digits as 0, punctuation as spaces."""
    characters = [_model_character(c) for c in fold(text[:MAX_MODEL_CHARACTERS])]
    return " ".join("".join(characters).split())


def features(text: str) -> list[str]:
    """Return the distinct character n-grams of a message, with start and end marks."""
    marked = START + model_text(text) + END
    seen: dict[str, None] = {}
    for size in NGRAM_SIZES:
        for start in range(len(marked) - size + 1):
            seen[marked[start : start + size]] = None
    return list(seen)
