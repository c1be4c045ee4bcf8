"""Vietnamese typed in the legacy 8-bit encodings, TCVN3 and VNI, recognised and converted.

Before Unicode, Vietnamese was typed with special fonts, and many offices still do. The ABC
fonts (``.VnTime``, ``.VnArial``…) use TCVN3, i.e. TCVN 5712:1993; the VNI fonts
(``VNI-Times``…) use VNI Windows. A document typed that way holds ordinary Latin-1 characters
that only the font draws as Vietnamese::

    "NguyÔn V¨n §Æng"      TCVN3: one character per letter ("Ô" is ễ, "¨" is ă, "§" is Đ)
    "Nguyeãn Vaên Ñaëng"   VNI: a base letter followed by a mark ("eã" is ễ, "aê" is ă)

for "Nguyễn Văn Đặng". Once the font is gone (a CSV file, a web form, a database) only that
mojibake is left. :func:`repair` recognises it and converts it to Unicode (NFC).

Recognising is a matter of evidence, not of spotting odd characters: "Lê Hà" is plain
Unicode but also valid TCVN3 (for "Lờ HỔ"), and "Hoàng" is also VNI (for "Hồng"). So the
text is read three ways (as it is, as TCVN3, as VNI) and each reading is scored word by word:
a Vietnamese syllable (checked against the spelling rules: initial, rhyme, tone) counts for
it, a word with symbols (``µ ¸ § ¨``) or with capitals in the middle (``NguyÔn``) against
it, anything else (ASCII, foreign names such as "Müller") is neutral. A legacy reading wins
only if it scores strictly better than the text as it is *and* every word it changes becomes
a Vietnamese syllable; so normal Unicode, ASCII and foreign names are never converted, and
text that looks like mojibake but cannot be converted that confidently is returned unchanged
and marked ``suspicious``.

The tables follow TCVN 5712:1993 (its full table, "VN1"; the ABC fonts implement its VN3
subset, which has the lower-case letters with tones and only Ă Â Ê Ô Ơ Ư Đ in capitals) and
the VNI Windows table. Upper-case letters with tones that VN3 lacks are typed in the "H"
fonts (``.VnTimeH``), which draw the lower-case codes as capitals: "NGUYÔN" is "NGUYỄN". A
lower-case code in a word whose other letters are all capitals is therefore read as a capital.

Legacy text here means the byte values as Latin-1 characters (``"µ"`` for the byte 0xB5), as
a cell typed with such a font is stored; bytes 0x80-0x9F are also accepted as the Windows-1252
characters Windows shows for them. Nothing here does I/O.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Final

UNICODE: Final = "unicode"
TCVN3: Final = "tcvn3"
VNI: Final = "vni"
LEGACY_ENCODINGS: Final = (TCVN3, VNI)


@dataclass(frozen=True)
class Repair:
    """What :func:`repair` made of a text."""

    #: the text converted to Unicode (NFC), or the text unchanged when ``encoding`` is "unicode"
    text: str
    #: "unicode" (left as it was), "tcvn3" or "vni" (converted from that encoding)
    encoding: str
    #: the text looks like legacy-encoded mojibake but could not be converted confidently
    suspicious: bool = False

    @property
    def converted(self) -> bool:
        return self.encoding != UNICODE


# --- Letters --------------------------------------------------------------------------------

_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
_TONES = (_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)  # sắc, huyền, hỏi, ngã, nặng
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def _with_tone(vowel: str, tone: str) -> str:
    return unicodedata.normalize("NFC", vowel + tone)


#: The 134 precomposed Vietnamese letters: 12 vowels × 5 tones + ă â ê ô ơ ư + đ, both cases.
VIETNAMESE_LETTERS: Final = tuple(
    letter
    for lower in (
        *(vowel for vowel in _VOWELS if not vowel.isascii()),
        *(_with_tone(vowel, tone) for vowel in _VOWELS for tone in _TONES),
        "đ",
    )
    for letter in (lower, lower.upper())
)
_VIETNAMESE = frozenset(VIETNAMESE_LETTERS) | frozenset(string.ascii_letters)

# --- TCVN3 (TCVN 5712:1993) -----------------------------------------------------------------

# Bytes 0x80-0xFF. 0xB0-0xB4 are the five tone marks as combining characters.
_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 0x80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 0x90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # 0xB0
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # 0xC0
    "éẹềểễếệìỉỄẾỒĩíịò"  # 0xD0
    "Ổỏõóọồổỗốộờởỡớợù"  # 0xE0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # 0xF0
)
# Upper-case U and Y with tones sit on control codes in the full table.
_TCVN3_LOW = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ",
    0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
}
_TCVN3_DECODE: dict[int, str] = {
    **_TCVN3_LOW, **{0x80 + index: char for index, char in enumerate(_TCVN3_HIGH)},
}
# The codes of the VN3 subset the ABC fonts use: 0xA0-0xAE and the lower-case letters.
_VN3 = frozenset(
    code for code, char in _TCVN3_DECODE.items()
    if 0xA0 <= code <= 0xAE or (code >= 0xB5 and char.islower())
)
# Lower-case codes an "H" font draws as capitals: their case is the font's, not the text's.
_TCVN3_CASELESS = frozenset(code for code in _VN3 if _TCVN3_DECODE[code].islower())
_TCVN3_ENCODE: dict[str, int] = {
    char: code for code, char in _TCVN3_DECODE.items() if not unicodedata.combining(char)
}

# Windows shows bytes 0x80-0x9F as these characters (five of them are undefined).
_CP1252_BYTES: dict[str, int] = {}
for _byte in range(0x80, 0xA0):
    try:
        _CP1252_BYTES[bytes([_byte]).decode("cp1252")] = _byte
    except UnicodeDecodeError:
        continue

# --- VNI Windows ----------------------------------------------------------------------------

# A vowel followed by one of these marks; lower- and upper-case marks mean the same.
_VNI_TONE_MARKS = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRCUMFLEX_MARKS = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE_MARKS = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
_VNI_MARKS = frozenset(
    mark for table in (_VNI_TONE_MARKS, _VNI_CIRCUMFLEX_MARKS, _VNI_BREVE_MARKS)
    for lower in table for mark in (lower, lower.upper())
)
# Letters VNI writes as one character of their own.
_VNI_SINGLE = {"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ"}
# VNI's ơ and ư, which take the tone marks like a vowel.
_VNI_HORNED = {"ô": "ơ", "ö": "ư"}
_VNI_BASES = frozenset("aeouy") | frozenset(_VNI_HORNED)
_VNI_I_TONES = {_ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}
_VNI_SHAPE_MARKS = {
    _CIRCUMFLEX: {tone: mark for mark, tone in _VNI_CIRCUMFLEX_MARKS.items()},
    _BREVE: {tone: mark for mark, tone in _VNI_BREVE_MARKS.items()},
}
_VNI_TONE_OF = {tone: mark for mark, tone in _VNI_TONE_MARKS.items()}
_VNI_HORNED_OF = {"o": "ô", "u": "ö"}

# --- Vietnamese syllables -------------------------------------------------------------------

_INITIALS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
# Every rhyme of standard spelling (tone marks removed).
_RHYMES = frozenset(
    rhyme
    for line in (
        "a ai ao au ay ac ach am an ang anh ap at",
        "ăc ăm ăn ăng ăp ăt",
        "âu ây âc âm ân âng âp ât",
        "e eo ec em en eng ep et",
        "ê êu êch êm ên êng ênh êp êt",
        "i ia iu ich im in inh ip it",
        "iêu iêc iêm iên iêng iêp iêt",
        "y yêu yêm yên yêng yêt",
        "o oi oc om on ong op ot",
        "oa oai oao oay oac oach oam oan oang oanh oap oat",
        "oăc oăm oăn oăng oăt",
        "oe oeo oen oet",
        "ô ôi ôc ôm ôn ông ôp ôt",
        "ơ ơi ơm ơn ơp ơt",
        "u ua ui uc um un ung up ut",
        "uân uâng uât uây",
        "uê uêch uênh",
        "uôi uôc uôm uôn uông uôt",
        "uy uya uyu uych uyn uynh uyp uyt uyên uyêt",
        "uơ",
        "ư ưa ưi ưu ưc ưm ưn ưng ưt",
        "ươi ươu ươc ươm ươn ương ươp ươt",
    )
    for rhyme in line.split()
)
_STOPS = ("c", "ch", "p", "t")  # a syllable ending so takes only the sắc or nặng tone


_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t")
_SHAPED = frozenset("ăâêôơư")
# Two-vowel rhymes whose tone may sit on either vowel (old "hòa, thúy", new "hoà, thuý").
_EITHER_STYLE = frozenset({"oa", "oe", "uy"})


def _tone_places(rhyme: str) -> set[int]:
    """Where in ``rhyme`` (no tone marks) the tone mark may sit."""
    final = next((final for final in _FINALS if rhyme.endswith(final)), "")
    vowels = rhyme[: len(rhyme) - len(final)]
    shaped = [index for index, char in enumerate(vowels) if char in _SHAPED]
    if shaped:
        return {shaped[-1]}
    if final or len(vowels) == 1:
        return {len(vowels) - 1}
    if len(vowels) == 3:
        return {1}
    return {0, 1} if vowels in _EITHER_STYLE else {0}


@functools.lru_cache(maxsize=16384)
def is_syllable(word: str) -> bool:
    """Whether ``word`` is spelt like one Vietnamese syllable: an initial, a rhyme of standard
    spelling, at most one tone, on the right vowel (old or new style), and only sắc or nặng
    after a final c, ch, p or t. Any case."""
    plain: list[str] = []
    tones: list[tuple[int, str]] = []
    for index, char in enumerate(unicodedata.normalize("NFC", word.lower())):
        marks = unicodedata.normalize("NFD", char)
        tones.extend((index, mark) for mark in marks if mark in _TONES)
        plain.append(unicodedata.normalize("NFC", "".join(m for m in marks if m not in _TONES)))
    if len(tones) > 1 or any(len(char) != 1 for char in plain):
        return False
    spelt = "".join(plain)
    for initial in _INITIALS:
        rhyme = spelt[len(initial):]
        if not spelt.startswith(initial) or rhyme not in _RHYMES:
            continue
        if rhyme.startswith("yê") and initial not in ("", "qu"):
            continue  # "yê" after a consonant is spelt "iê": "tiên", but "yên", "quyên"
        if tones:
            place, tone = tones[0]
            if tone not in (_ACUTE, _DOT) and rhyme.endswith(_STOPS):
                continue
            if place - len(initial) not in _tone_places(rhyme):
                continue
        return True
    return False


# --- Reading words --------------------------------------------------------------------------

# Words are separated by white space and ASCII punctuation, which neither encoding uses.
_SEPARATORS = re.compile(r"((?:[^\S\x85]|[" + re.escape(string.punctuation) + r"])+)")
# Punctuation outside Latin-1 that may close or open a word in normal text.
_EDGE_PUNCTUATION = "‚„…†‡‰‹›‘’“”•–—˜™ˆ"
_GOOD, _WEAK, _NEUTRAL, _ODD_CASE, _BAD = 2, 1, 0, -1, -2


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


def _case_ok(word: str) -> bool:
    return word == word.lower() or word == word.upper() or (
        word[0].isupper() and word[1:] == word[1:].lower()
    )


def _word_score(word: str) -> int:
    """How much ``word`` reads as Vietnamese: 2 a syllable, 0 neutral, below 0 mojibake."""
    core = unicodedata.normalize("NFC", word).strip(_EDGE_PUNCTUATION)
    if not core or core.isascii():
        return _NEUTRAL
    if any(not (char.isdigit() or _is_latin_letter(char)) for char in core):
        return _BAD  # symbols (µ ¸ § ¨ ª), controls, stray marks
    if any(char.isdigit() for char in core):
        return _NEUTRAL
    if not _case_ok(core):
        return _ODD_CASE
    if all(char in _VIETNAMESE for char in core) and is_syllable(core):
        return _GOOD
    return _NEUTRAL


def _words(text: str) -> list[str]:
    """``text`` split into words (even indices) and separators (odd indices)."""
    return _SEPARATORS.split(text)


# --- TCVN3 ----------------------------------------------------------------------------------

def _tcvn3_code(word: str, index: int) -> int | None:
    char = word[index]
    code = ord(char)
    if 0x80 <= code <= 0xFF or code in _TCVN3_LOW:
        return code
    if char in _CP1252_BYTES:
        # A quote or a dash is only a letter when it touches one.
        neighbours = word[max(index - 1, 0) : index] + word[index + 1 : index + 2]
        if any(other.isalpha() or ord(other) >= 0x80 for other in neighbours):
            return _CP1252_BYTES[char]
    return None


def _tcvn3_letters(word: str) -> list[tuple[str, bool]]:
    """Each character of a word read as TCVN3, and whether its case is the text's own (an
    ASCII letter, a capital code) rather than the font's (a lower-case code)."""
    letters: list[tuple[str, bool]] = []
    for index, char in enumerate(word):
        code = _tcvn3_code(word, index)
        if code is None:
            letters.append((char, True))
        else:
            letters.append((_TCVN3_DECODE[code], code not in _TCVN3_CASELESS))
    return letters


def _outside_vn3(word: str) -> bool:
    """Whether a word uses a code the ABC fonts do not type (a capital with a tone)."""
    return any(
        (code := _tcvn3_code(word, index)) is not None and code not in _VN3 and code != 0xA0
        for index in range(len(word))
    )


def _tcvn3_word(word: str, capitals: bool) -> str:
    letters = _tcvn3_letters(word)
    own_case = [char for char, own in letters if own and char.isalpha()]
    upper = all(char.isupper() for char in own_case) if len(own_case) >= 2 else capitals
    text = "".join(char.upper() if upper and not own else char for char, own in letters)
    return unicodedata.normalize("NFC", text)


def _all_capitals(words: list[str]) -> bool:
    """Whether a TCVN3 text is typed in capitals (an "H" font), judging by its own-case
    letters: all capitals, and some word has at least two of them."""
    own_case: list[str] = []
    long_word = False
    for word in words[::2]:
        letters = [char for char, own in _tcvn3_letters(word) if own and char.isalpha()]
        own_case.extend(letters)
        long_word = long_word or len(letters) >= 2
    return long_word and all(char.isupper() for char in own_case)


# --- VNI ------------------------------------------------------------------------------------

def _vni_word(word: str) -> tuple[str, bool]:
    """Decode one word; also whether it is broken (a mark that follows no vowel)."""
    out: list[str] = []
    broken = False
    index = 0
    while index < len(word):
        char = word[index]
        lower = char.lower()
        mark = word[index + 1].lower() if index + 1 < len(word) else ""
        if lower in _VNI_BASES:
            base = _VNI_HORNED.get(lower, lower)
            letter = base
            if mark in _VNI_TONE_MARKS:
                letter, index = base + _VNI_TONE_MARKS[mark], index + 1
            elif mark in _VNI_CIRCUMFLEX_MARKS and base in "aeo":
                letter, index = base + _CIRCUMFLEX + _VNI_CIRCUMFLEX_MARKS[mark], index + 1
            elif mark in _VNI_BREVE_MARKS and base == "a":
                letter, index = base + _BREVE + _VNI_BREVE_MARKS[mark], index + 1
            letter = unicodedata.normalize("NFC", letter)
            out.append(letter.upper() if char.isupper() else letter)
        elif lower in _VNI_SINGLE:
            letter = _VNI_SINGLE[lower]
            out.append(letter.upper() if char.isupper() else letter)
        else:
            broken = broken or char in _VNI_MARKS
            out.append(char)
        index += 1
    return unicodedata.normalize("NFC", "".join(out)), broken


# --- Converting -----------------------------------------------------------------------------

def decode(text: str, encoding: str) -> str:
    """``text`` read as ``encoding`` ("tcvn3" or "vni"), in Unicode NFC; no guessing."""
    words = _words(text)
    if encoding == TCVN3:
        capitals = _all_capitals(words)
        decoded = [_tcvn3_word(word, capitals) if i % 2 == 0 else word
                   for i, word in enumerate(words)]
    elif encoding == VNI:
        decoded = [_vni_word(word)[0] if i % 2 == 0 else word for i, word in enumerate(words)]
    elif encoding == UNICODE:
        return text
    else:
        raise ValueError(f"unknown encoding {encoding!r}")
    return unicodedata.normalize("NFC", "".join(decoded))


def encode(text: str, encoding: str, *, h_font: bool = False) -> str:
    """``text`` as typed with a legacy font: each byte as the Latin-1 character of that value.

    For TCVN3, capitals with tones get their codes of the full TCVN 5712 table, or with
    ``h_font`` the lower-case codes, as typed in the ABC "H" fonts (``.VnTimeH``). Raises
    :class:`ValueError` for a character the encoding does not have.
    """
    text = unicodedata.normalize("NFC", text)
    if encoding == TCVN3:
        return "".join(_encode_tcvn3(char, h_font) for char in text)
    if encoding == VNI:
        return "".join(_encode_vni(char) for char in text)
    raise ValueError(f"unknown encoding {encoding!r}")


def _encode_tcvn3(char: str, h_font: bool) -> str:
    if char.isascii() and ord(char) not in _TCVN3_LOW:
        return char
    if h_font and char.isupper() and char.lower() in _TCVN3_ENCODE:
        lower_code = _TCVN3_ENCODE[char.lower()]
        if lower_code in _TCVN3_CASELESS and (
            _TCVN3_ENCODE.get(char) is None or _TCVN3_ENCODE[char] not in _VN3
        ):
            return chr(lower_code)
    if char in _TCVN3_ENCODE:
        return chr(_TCVN3_ENCODE[char])
    raise ValueError(f"TCVN3 has no {char!r}")


def _encode_vni(char: str) -> str:
    if char.isascii():
        return char
    lower = char.lower()
    if lower == "đ":
        out = "ñ"
    else:
        decomposed = unicodedata.normalize("NFD", lower)
        base, marks = decomposed[0], decomposed[1:]
        tones = [mark for mark in marks if mark in _TONES]
        shapes = [mark for mark in marks if mark not in _TONES]
        tone = tones[0] if tones else ""
        shape = shapes[0] if shapes else ""
        if base not in "aeiouy" or len(tones) > 1 or len(shapes) > 1:
            raise ValueError(f"VNI has no {char!r}")
        if shape == _HORN and base in "ou":
            out = _VNI_HORNED_OF[base] + _VNI_TONE_OF.get(tone, "")
        elif (shape == _CIRCUMFLEX and base in "aeo") or (shape == _BREVE and base == "a"):
            out = base + _VNI_SHAPE_MARKS[shape][tone]
        elif shape:
            raise ValueError(f"VNI has no {char!r}")
        elif base == "i" and tone:
            out = _VNI_I_TONES[tone]
        elif base == "y" and tone == _DOT:
            out = "î"
        else:
            out = base + _VNI_TONE_OF.get(tone, "")
    return out.upper() if char.isupper() else out


# --- Recognising ----------------------------------------------------------------------------

@dataclass
class _Reading:
    encoding: str
    text: str
    score: int
    #: every word the reading changes is a Vietnamese syllable (and it changes one)
    confident: bool
    #: some changed word became a Vietnamese syllable
    plausible: bool


def _legacy_reading(words: list[str], encoding: str) -> _Reading:
    capitals = _all_capitals(words) if encoding == TCVN3 else False
    out: list[str] = []
    score = 0
    changed = good = bad = 0
    for index, word in enumerate(words):
        if index % 2:
            out.append(word)
            continue
        if encoding == TCVN3:
            decoded = _tcvn3_word(word, capitals)
            word_score = _word_score(decoded)
            if word_score == _GOOD and _outside_vn3(word):
                word_score = _WEAK
        else:
            decoded, broken = _vni_word(word)
            word_score = _BAD if broken else _word_score(decoded)
        out.append(decoded)
        score += word_score
        if decoded != word:
            changed += 1
            if word_score > 0:
                good += 1
            else:
                bad += 1
    return _Reading(
        encoding=encoding,
        text=unicodedata.normalize("NFC", "".join(out)),
        score=score,
        confident=changed > 0 and bad == 0,
        plausible=good > 0,
    )


def _might_be_legacy(text: str) -> bool:
    """Legacy text is Latin-1 (with Windows' characters for 0x80-0x9F), and not all ASCII."""
    if text.isascii():
        return any(ord(char) in _TCVN3_LOW for char in text)
    return all(ord(char) <= 0xFF or char in _CP1252_BYTES for char in text)


def vietnamese_score(text: str, encoding: str) -> int:
    """How well ``text`` reads as Vietnamese in ``encoding`` ("unicode", "tcvn3" or "vni"):
    2 per Vietnamese syllable, less for mojibake. For choosing how to read a whole file."""
    words = _words(text)
    if encoding == UNICODE:
        return sum(_word_score(word) for word in words[::2])
    return _legacy_reading(words, encoding).score


def repair(text: str, *, hint: str | None = None) -> Repair:
    """Recognise ``text`` typed in TCVN3 or VNI and convert it; see the module docstring.

    ``hint`` ("tcvn3" or "vni"): the encoding the rest of the document is in. A text that
    reads equally well as it is and in that encoding (e.g. "Hoàng", which is VNI for "Hồng")
    is then converted too.
    """
    return _repair(text, hint)


@functools.lru_cache(maxsize=4096)
def _repair(text: str, hint: str | None) -> Repair:
    if not text or not _might_be_legacy(text):
        return Repair(text, UNICODE)
    words = _words(text)
    as_is = sum(_word_score(word) for word in words[::2])
    readings = [_legacy_reading(words, encoding) for encoding in LEGACY_ENCODINGS]
    better = [r for r in readings if r.confident and r.score > as_is]
    if better:
        best = max(reading.score for reading in better)
        winners = {reading.text: reading for reading in better if reading.score == best}
        hinted = [reading for reading in winners.values() if reading.encoding == hint]
        if len(winners) == 1 or hinted:
            winner = hinted[0] if hinted else next(iter(winners.values()))
            return Repair(winner.text, winner.encoding)
        return Repair(text, UNICODE, suspicious=True)  # TCVN3 and VNI read equally well
    for reading in readings:
        if (reading.encoding == hint and reading.confident and reading.plausible
                and reading.score >= as_is):
            return Repair(reading.text, reading.encoding)
    odd = any(_word_score(word) < 0 for word in words[::2])
    unconvertible = any(r.plausible and not r.confident and r.score > as_is for r in readings)
    return Repair(text, UNICODE, suspicious=odd or unconvertible)
