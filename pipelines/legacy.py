"""Repairing Vietnamese typed in the legacy TCVN3 (ABC) or VNI encodings and pasted into UTF-8.

Such text shows as "tæ chøc héi nghÞ" (TCVN3) or "Vieät Nam" (VNI). A
paragraph is converted only when it carries characters that valid Vietnamese
Unicode never uses, and no (or far fewer) real Vietnamese letters: correct
text is never touched.
"""

from __future__ import annotations

import re

# TCVN3: one byte per letter, read as Latin-1. Lower-case letters in this order
# have these byte values; a capital with a tone mark uses the lower-case byte.
_TCVN3_LETTERS = "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđ"
_TCVN3_BYTES = (
    184, 181, 182, 183, 185, 168, 190, 187, 188, 189, 198, 169, 202, 199, 200, 201, 203,
    208, 204, 206, 207, 209, 170, 213, 210, 211, 212, 214, 221, 215, 216, 220, 222,
    227, 223, 225, 226, 228, 171, 232, 229, 230, 231, 233, 172, 237, 234, 235, 236, 238,
    243, 239, 241, 242, 244, 173, 248, 245, 246, 247, 249, 253, 250, 251, 252, 254, 174,
)  # fmt: skip
_TCVN3_CAPITALS = {161: "Ă", 162: "Â", 163: "Ê", 164: "Ô", 165: "Ơ", 166: "Ư", 167: "Đ"}
TCVN3 = {chr(b): letter for b, letter in zip(_TCVN3_BYTES, _TCVN3_LETTERS, strict=True)}
TCVN3.update({chr(b): letter for b, letter in _TCVN3_CAPITALS.items()})

# VNI: a base letter followed by a mark character; a few letters are one character.
_VNI_PAIRS = {
    "a": "ùøûõïêéèúüëâáàåãä", "e": "ùøûõïâáàåãä", "o": "ùøûõïâáàåãä", "ô": "ùøûõï",
    "u": "ùøûõï", "ö": "ùøûõï", "y": "ùøûõ",
}  # fmt: skip
_VNI_TARGETS = {
    "a": "áàảãạăắằẳẵặâấầẩẫậ", "e": "éèẻẽẹêếềểễệ", "o": "óòỏõọôốồổỗộ", "ô": "ớờởỡợ",
    "u": "úùủũụ", "ö": "ứừửữự", "y": "ýỳỷỹ",
}  # fmt: skip
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ"}
VNI: dict[str, str] = {}
for _base, _marks in _VNI_PAIRS.items():
    for _mark, _target in zip(_marks, _VNI_TARGETS[_base], strict=True):
        VNI[_base + _mark] = _target
        VNI[_base.upper() + _mark.upper()] = _target.upper()
for _source, _target in _VNI_SINGLE.items():
    VNI.setdefault(_source, _target)
    VNI.setdefault(_source.upper(), _target.upper())

# Latin-1 characters no Vietnamese word contains (« » · © are common punctuation, left out).
_TCVN3_SIGNS = re.compile(r"[¡¢£¤¥¦§¨ª¬\xad®µ¶¸¹¼½¾ÆÇËÎÏÐÑÖ×ØÜÞßäåæçëîïñö÷øûüþ]")
_TCVN3_ALONE = re.compile(
    r"(?<![aeiouyAEIOUYôöÔÖ])[¡¢£¤¥¦§¨ª¬\xad®µ¶¸¹¼½¾ÆÇËÎÏÐÑÖ×ØÜÞßäåæçëîïñö÷øûüþ]"
)
_VNI_SIGNS = re.compile(r"[aeiouyAEIOUYôöÔÖ][ùøûõïüëåäÙØÛÕÏÜËÅÄ]")
# Vietnamese letters outside Latin-1: their presence means the text is real Unicode.
_VIETNAMESE = re.compile(r"[ăĂđĐơƠưƯĩĨũŨ\u1ea0-\u1ef9]")
_VNI_KEYS = re.compile("|".join(sorted(map(re.escape, VNI), key=len, reverse=True)))
MIN_SIGNS = 3


def _dominates(signs: int, real: int) -> bool:
    return signs >= MIN_SIGNS and signs >= 3 * real


def fix_legacy_encoding(text: str) -> str:
    """The text with TCVN3 or VNI mojibake converted to Unicode; anything else unchanged."""
    if not text or not (_TCVN3_SIGNS.search(text) or _VNI_SIGNS.search(text)):
        return text
    real = len(_VIETNAMESE.findall(text))
    vni = len(_VNI_SIGNS.findall(text))
    # VNI marks follow a vowel ("Vieät"); TCVN3 letters stand alone ("chøc", "tæ").
    tcvn3_alone = len(_TCVN3_ALONE.findall(text))
    if _dominates(vni, real) and vni >= tcvn3_alone:
        return _VNI_KEYS.sub(lambda match: VNI[match.group(0)], text)
    if _dominates(len(_TCVN3_SIGNS.findall(text)), real):
        return "".join(TCVN3.get(char, char) for char in text)
    return text
