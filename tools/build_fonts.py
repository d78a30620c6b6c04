#!/usr/bin/env python3
"""Regenerate the bundled web/PDF fonts in ``static/fonts/`` from Debian's Noto packages.

ClientReview ships its own fonts so that Latin, Greek, Cyrillic and Korean (Hangul) text
renders without missing-glyph boxes in the browser *and* in WeasyPrint PDFs, whatever fonts
the host machine happens to have. The files are subsets of:

* ``fonts-noto-core``: /usr/share/fonts/truetype/noto/NotoSans-{Regular,Bold,...}.ttf
* ``fonts-noto-cjk``:  /usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc (KR face)

Output (in ``static/fonts/`` unless ``--out`` is given):

* ``NotoSans-{Regular,Bold,Italic,BoldItalic}.ttf`` + ``.woff2`` -- Latin/Greek/Cyrillic/symbols
* ``NotoSansKR-Hangul-{Regular,Bold}.otf`` + ``.woff2`` -- Hangul only, family renamed to
  "Noto Sans KR Hangul" so it never clashes with an installed "Noto Sans CJK KR"
* ``OFL.txt`` -- copyright notices + SIL Open Font License 1.1 (from the Debian copyright file)

Usage (fontTools and brotli are build-time only; they are not project dependencies)::

    apt-get install -y fonts-noto-core fonts-noto-cjk
    .venv/bin/pip install fonttools brotli
    .venv/bin/python tools/build_fonts.py            # writes static/fonts/
    .venv/bin/python tools/build_fonts.py --check    # only verify the existing files

The output is deterministic for given package versions (timestamps are kept from the
sources), so re-running it on an unchanged system gives byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "static" / "fonts"

NOTO_CORE_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK_DIR = Path("/usr/share/fonts/opentype/noto")
OFL_SOURCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")

# Noto Sans styles: output stem -> (static source file, wght used if instancing a variable font)
NOTO_SANS_STYLES = {
    "NotoSans-Regular": ("NotoSans-Regular.ttf", 400),
    "NotoSans-Bold": ("NotoSans-Bold.ttf", 700),
    "NotoSans-Italic": ("NotoSans-Italic.ttf", 400),
    "NotoSans-BoldItalic": ("NotoSans-BoldItalic.ttf", 700),
}
# If Debian ever ships only the variable font, these are tried instead (instanced at wght).
NOTO_SANS_VARIABLE = {False: "NotoSans[wdth,wght].ttf", True: "NotoSans-Italic[wdth,wght].ttf"}

# Unicode ranges kept in the Noto Sans subset (only code points the font has are kept).
LATIN_GREEK_CYRILLIC_RANGES = [
    (0x0000, 0x024F),  # Basic Latin, Latin-1 Supplement, Latin Extended-A/B
    (0x02B0, 0x02FF),  # Spacing modifier letters (ˆ ˇ ˘ ˜ ... as found in cp1252 text)
    (0x0300, 0x036F),  # Combining diacritics (decomposed/NFD input, e.g. macOS filenames)
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x04FF),  # Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh, ...)
    (0x2000, 0x206F),  # General punctuation
    (0x2070, 0x209F),  # Superscripts and subscripts
    (0x20A0, 0x20CF),  # Currency symbols
    (0x2100, 0x214F),  # Letterlike symbols (№ ™ ℮ ...)
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical operators
    (0x25A0, 0x25FF),  # Geometric shapes
    (0x2700, 0x27BF),  # Dingbats
    (0xFB00, 0xFB06),  # Latin ligatures (ﬁ ﬂ pasted from PDFs)
    (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
    (0xFFFD, 0xFFFD),  # Replacement character
]

# KR face of Noto Sans CJK: output stem -> source collection
NOTO_KR_STYLES = {
    "NotoSansKR-Hangul-Regular": ("NotoSansCJK-Regular.ttc", "Regular", 400),
    "NotoSansKR-Hangul-Bold": ("NotoSansCJK-Bold.ttc", "Bold", 700),
}
KR_SOURCE_FAMILY = "Noto Sans CJK KR"
KR_FAMILY = "Noto Sans KR Hangul"
KR_PS_FAMILY = "NotoSansKRHangul"
HANGUL_RANGES = [
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0xAC00, 0xD7A3),  # Hangul Syllables
    # Spaces (only those Noto Sans CJK KR has). Pango/WeasyPrint keeps a space in the font of
    # the preceding character, so "한국어 Þórður" needs U+0020 in this face or the PDF shows a
    # .notdef box for the space. Browsers are unaffected: fonts.css limits this face with
    # unicode-range to the Hangul/CJK blocks, so they never use it for spaces.
    (0x0020, 0x0020),
    (0x00A0, 0x00A0),
    (0x2002, 0x2003),
]

SIZE_BUDGET = 8 * 1024 * 1024  # keep all generated font files together under ~8 MB


def _unicodes(ranges: list[tuple[int, int]]) -> list[int]:
    return [cp for lo, hi in ranges for cp in range(lo, hi + 1)]


def _subset_options() -> subset.Options:
    opts = subset.Options()
    opts.layout_features = ["*"]  # keep kerning, marks, locl (Serbian/Bulgarian), jamo, ...
    opts.name_IDs = ["*"]  # keep copyright (0), licence (13/14) etc. -- the OFL asks for it
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.hinting = True
    opts.recalc_timestamp = False
    opts.prune_unicode_ranges = True
    return opts


def _subset(font: TTFont, ranges: list[tuple[int, int]]) -> None:
    subsetter = subset.Subsetter(options=_subset_options())
    subsetter.populate(unicodes=_unicodes(ranges))
    subsetter.subset(font)


def _save(font: TTFont, out_dir: Path, stem: str, ext: str) -> list[Path]:
    """Save the font as ``stem.ext`` (for WeasyPrint) and ``stem.woff2`` (for browsers)."""
    plain = out_dir / f"{stem}.{ext}"
    font.flavor = None
    font.save(plain, reorderTables=True)
    woff2 = out_dir / f"{stem}.woff2"
    font.flavor = "woff2"
    font.save(woff2)
    font.flavor = None
    return [plain, woff2]


def _load_noto_sans(src_name: str, wght: int) -> TTFont:
    italic = "Italic" in src_name
    src = NOTO_CORE_DIR / src_name
    if src.exists():
        font = TTFont(src, recalcTimestamp=False)
    else:  # variable-font fallback
        src = NOTO_CORE_DIR / NOTO_SANS_VARIABLE[italic]
        if not src.exists():
            raise SystemExit(f"missing {NOTO_CORE_DIR / src_name}: apt-get install fonts-noto-core")
        font = TTFont(src, recalcTimestamp=False)
    if "fvar" in font:
        from fontTools.varLib import instancer

        axes = {a.axisTag: a.defaultValue for a in font["fvar"].axes}
        axes["wght"] = wght
        if "wdth" in axes:
            axes["wdth"] = 100
        font = instancer.instantiateVariableFont(font, axes, updateFontNames=True)
    return font


def build_noto_sans(out_dir: Path) -> list[Path]:
    written = []
    for stem, (src_name, wght) in NOTO_SANS_STYLES.items():
        if (
            stem.endswith("Italic")
            and not (NOTO_CORE_DIR / src_name).exists()
            and not (NOTO_CORE_DIR / NOTO_SANS_VARIABLE[True]).exists()
        ):
            print(f"skip {stem}: no italic source", file=sys.stderr)
            continue
        font = _load_noto_sans(src_name, wght)
        _subset(font, LATIN_GREEK_CYRILLIC_RANGES)
        written += _save(font, out_dir, stem, "ttf")
    return written


def _kr_font_number(ttc: Path) -> int:
    collection = TTCollection(ttc, lazy=True)
    for number, face in enumerate(collection.fonts):
        if face["name"].getDebugName(1) == KR_SOURCE_FAMILY:
            return number
    raise SystemExit(f"no '{KR_SOURCE_FAMILY}' face in {ttc}")


def _rename_kr(font: TTFont, style: str) -> None:
    """Give the subset its own family name so it cannot clash with an installed CJK font."""
    name = font["name"]
    ps_name = f"{KR_PS_FAMILY}-{style}"
    version = name.getDebugName(5) or ""
    ver_num = version.removeprefix("Version ").split(";")[0]
    # Drop localised (Korean) copies of the old family/style/full names.
    name.names = [
        r for r in name.names if not (r.nameID in (1, 2, 3, 4, 6, 16, 17) and r.langID != 0x409)
    ]
    for name_id in (16, 17):
        name.removeNames(nameID=name_id)
    new = {
        1: KR_FAMILY,
        2: style,
        3: f"{ver_num};GOOG;{ps_name};ClientReview-subset",
        4: f"{KR_FAMILY} {style}",
        6: ps_name,
    }
    for name_id, value in new.items():
        name.setName(value, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        top.FamilyName = KR_FAMILY
        top.FullName = new[4]


def build_noto_kr(out_dir: Path) -> list[Path]:
    written = []
    for stem, (src_name, style, _wght) in NOTO_KR_STYLES.items():
        src = NOTO_CJK_DIR / src_name
        if not src.exists():
            raise SystemExit(f"missing {src}: apt-get install fonts-noto-cjk")
        font = TTFont(src, fontNumber=_kr_font_number(src), recalcTimestamp=False)
        _subset(font, HANGUL_RANGES)
        _rename_kr(font, style)
        written += _save(font, out_dir, stem, "otf")
    return written


def _notices(path: Path, name_ids: tuple[int, ...] = (0, 7)) -> list[str]:
    """Copyright (name ID 0) and trademark (name ID 7) strings of a generated font."""
    name = TTFont(path, lazy=True)["name"]
    return [text for text in map(name.getDebugName, name_ids) if text]


def write_ofl(out_dir: Path) -> Path:
    """Copyright notices + OFL 1.1 text, unfolded from the Debian machine-readable copyright."""
    lines = OFL_SOURCE.read_text(encoding="utf-8").splitlines()
    # The stanza with the text is the "License: SIL-1.1" line followed by indented lines.
    start = next(
        i
        for i, line in enumerate(lines[:-1])
        if line == "License: SIL-1.1" and lines[i + 1].startswith(" ")
    )
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        text = line[1:]
        body.append("" if text == "." else text)
    if not any("SIL OPEN FONT LICENSE Version 1.1" in line for line in body):
        raise SystemExit(f"could not find the OFL 1.1 text in {OFL_SOURCE}")
    header = [
        "The fonts in this directory are subsets of Google's Noto fonts, as packaged by Debian.",
        "",
        "NotoSans-*.ttf, NotoSans-*.woff2 (Noto Sans, Debian package fonts-noto-core):",
        *_notices(out_dir / "NotoSans-Regular.ttf"),
        "",
        "NotoSansKR-Hangul-*.otf, NotoSansKR-Hangul-*.woff2",
        "(Noto Sans CJK KR, Debian package fonts-noto-cjk; subset and renamed to",
        '"Noto Sans KR Hangul"):',
        # Upstream noto-cjk LICENSE wording of name ID 0 ("© 2014-2021 Adobe ...").
        "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.",
        *_notices(out_dir / "NotoSansKR-Hangul-Regular.otf", (7,)),
        "",
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        "This license is copied below, and is also available with a FAQ at:",
        "https://openfontlicense.org",
        "",
        "",
    ]
    path = out_dir / "OFL.txt"
    path.write_text("\n".join(header + body).rstrip() + "\n", encoding="utf-8")
    return path


def _source_cmap(stem: str) -> dict[int, str] | None:
    """cmap of the source face a generated file came from (None if not installed)."""
    if stem in NOTO_SANS_STYLES:
        src = NOTO_CORE_DIR / NOTO_SANS_STYLES[stem][0]
        return TTFont(src, lazy=True).getBestCmap() if src.exists() else None
    src = NOTO_CJK_DIR / NOTO_KR_STYLES[stem][0]
    if not src.exists():
        return None
    return TTFont(src, fontNumber=_kr_font_number(src), lazy=True).getBestCmap()


def check(out_dir: Path) -> bool:
    """Sample text and every requested code point the source has must be in each file.

    Note: Noto Sans 2.004 (Debian 12) has no glyphs in Arrows, Mathematical Operators,
    Geometric Shapes (except U+25CC) or Dingbats, so those ranges come out empty.
    """
    ok = True
    expectations = [(stem, "ttf", LATIN_GREEK_CYRILLIC_RANGES) for stem in NOTO_SANS_STYLES] + [
        (stem, "otf", HANGUL_RANGES) for stem in NOTO_KR_STYLES
    ]
    sample = {
        "ttf": "Ελληνικά Кириллица Þórður Đurđević €1,234.50 “quoted” – — … № ™ ₽ ₩ Ắ",
        "otf": "한국어 대한민국 「」 ㄱㅎ",
    }
    total = 0
    for stem, ext, ranges in expectations:
        source = _source_cmap(stem)
        wanted = set(_unicodes(ranges)) & set(source) if source else set()
        for suffix in (ext, "woff2"):
            path = out_dir / f"{stem}.{suffix}"
            if not path.exists():
                if "Italic" in stem:
                    continue
                print(f"MISSING {path}")
                ok = False
                continue
            total += path.stat().st_size
            cmap = TTFont(path, lazy=True).getBestCmap()
            missing = [ch for ch in sample[ext] if not ch.isspace() and ord(ch) not in cmap]
            missing += [f"U+{cp:04X}" for cp in sorted(wanted - set(cmap))]
            if missing:
                print(f"{path.name}: missing {missing[:20]}")
                ok = False
            print(f"{path.name:34} {path.stat().st_size:>10,} bytes  {len(cmap):>6} code points")
    print(f"{'total':34} {total:>10,} bytes")
    if total > SIZE_BUDGET:
        print(f"over the {SIZE_BUDGET:,} byte budget")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--check", action="store_true", help="only verify existing files")
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    if not args.check:
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in build_noto_sans(out_dir) + build_noto_kr(out_dir) + [write_ofl(out_dir)]:
            print(f"wrote {path}")
    return 0 if check(out_dir) else 1


if __name__ == "__main__":
    sys.exit(main())
