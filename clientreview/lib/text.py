"""Names as a search compares them: case, accents and the letters that do not decompose
set aside, each script kept ("Ελένη", "ελενη" and "ΕΛΕΝΗ" are one; "Đurđa" is "durda";
"Ольга" is "ольга"; Hangul syllables stay whole)."""

from __future__ import annotations

import unicodedata

# Latin letters that are letters of their own, not a base letter with a mark, so NFKD
# leaves them; folded to what people type on a keyboard without them.
_OWN_LETTERS = str.maketrans(
    {"đ": "d", "ð": "d", "þ": "th", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "ı": "i", "ħ": "h"}
)


def fold(text: str) -> str:
    """`text` casefolded, without combining marks, recomposed (NFC) so Korean stays whole."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.translate(_OWN_LETTERS))
