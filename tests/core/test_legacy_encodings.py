"""Vietnamese typed in TCVN3 and VNI, recognised and converted (edugate.core.legacy_encodings)."""

from __future__ import annotations

import unicodedata

import pytest

from edugate.core.legacy_encodings import (
    TCVN3,
    UNICODE,
    VIETNAMESE_LETTERS,
    VNI,
    Repair,
    decode,
    encode,
    is_syllable,
    repair,
    vietnamese_score,
)

ENCODINGS = (TCVN3, VNI)


def word_for(letter: str) -> str:
    """A Vietnamese syllable holding ``letter``: "hắn" for "ắ", "HỴ" for "Ỵ", "đa" for "đ"."""
    lower = letter.lower()
    shape = unicodedata.normalize("NFD", lower)[0] + "".join(
        mark for mark in unicodedata.normalize("NFD", lower)[1:] if mark in "\u0302\u0306\u031b"
    )
    if lower == "đ":
        word = "đa"
    elif unicodedata.normalize("NFC", shape) in ("ă", "â"):
        word = f"h{lower}n"  # ă and â need a final consonant
    else:
        word = f"h{lower}"
    return word.upper() if letter.isupper() else word


# --- The tables -----------------------------------------------------------------------------

def test_there_are_134_letters():
    assert len(VIETNAMESE_LETTERS) == len(set(VIETNAMESE_LETTERS)) == 134
    assert all(unicodedata.is_normalized("NFC", letter) for letter in VIETNAMESE_LETTERS)


@pytest.mark.parametrize(("letter", "code"), [
    # TCVN 5712:1993, the codes every ABC-font user knows
    ("Ă", 0xA1), ("Â", 0xA2), ("Ê", 0xA3), ("Ô", 0xA4), ("Ơ", 0xA5), ("Ư", 0xA6), ("Đ", 0xA7),
    ("ă", 0xA8), ("â", 0xA9), ("ê", 0xAA), ("ô", 0xAB), ("ơ", 0xAC), ("ư", 0xAD), ("đ", 0xAE),
    ("à", 0xB5), ("ả", 0xB6), ("ã", 0xB7), ("á", 0xB8), ("ạ", 0xB9),
    ("ằ", 0xBB), ("ẳ", 0xBC), ("ẵ", 0xBD), ("ắ", 0xBE), ("ặ", 0xC6),
    ("ầ", 0xC7), ("ẩ", 0xC8), ("ẫ", 0xC9), ("ấ", 0xCA), ("ậ", 0xCB),
    ("è", 0xCC), ("ẻ", 0xCE), ("ẽ", 0xCF), ("é", 0xD0), ("ẹ", 0xD1),
    ("ề", 0xD2), ("ể", 0xD3), ("ễ", 0xD4), ("ế", 0xD5), ("ệ", 0xD6),
    ("ì", 0xD7), ("ỉ", 0xD8), ("ĩ", 0xDC), ("í", 0xDD), ("ị", 0xDE),
    ("ò", 0xDF), ("ỏ", 0xE1), ("õ", 0xE2), ("ó", 0xE3), ("ọ", 0xE4),
    ("ồ", 0xE5), ("ổ", 0xE6), ("ỗ", 0xE7), ("ố", 0xE8), ("ộ", 0xE9),
    ("ờ", 0xEA), ("ở", 0xEB), ("ỡ", 0xEC), ("ớ", 0xED), ("ợ", 0xEE),
    ("ù", 0xEF), ("ủ", 0xF1), ("ũ", 0xF2), ("ú", 0xF3), ("ụ", 0xF4),
    ("ừ", 0xF5), ("ử", 0xF6), ("ữ", 0xF7), ("ứ", 0xF8), ("ự", 0xF9),
    ("ỳ", 0xFA), ("ỷ", 0xFB), ("ỹ", 0xFC), ("ý", 0xFD), ("ỵ", 0xFE),
    # capitals with tones exist only in the full table (VN1)
    ("À", 0x80), ("Ặ", 0x85), ("Ũ", 0x9F), ("Ằ", 0xAF), ("Ố", 0xFF), ("Ú", 0x01), ("Ỵ", 0x17),
])
def test_tcvn3_codes(letter, code):
    assert encode(letter, TCVN3) == chr(code)
    assert decode(chr(code), TCVN3) == letter


def test_tcvn3_table_is_complete_and_one_to_one():
    codes = [encode(letter, TCVN3) for letter in VIETNAMESE_LETTERS]
    assert all(len(code) == 1 for code in codes)
    assert len(set(codes)) == 134


@pytest.mark.parametrize(("text", "vni"), [
    ("Nguyễn Văn Đặng", "Nguyeãn Vaên Ñaëng"),
    ("Trường Tiểu học Ánh Dương", "Tröôøng Tieåu hoïc AÙnh Döông"),
    ("ơ ư Ơ Ư", "ô ö Ô Ö"),
    ("í ì ỉ ĩ ị", "í ì æ ó ò"),
    ("ý ỳ ỷ ỹ ỵ Ỵ", "yù yø yû yõ î Î"),
    ("ấ ầ ẩ ẫ ậ", "aá aà aå aã aä"),
    ("ắ ằ ẳ ẵ ặ", "aé aè aú aü aë"),
    ("ỨNG", "ÖÙNG"),
])
def test_vni_codes(text, vni):
    assert encode(text, VNI) == vni
    assert decode(vni, VNI) == text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encode_refuses_what_the_encoding_lacks(encoding):
    with pytest.raises(ValueError):
        encode("Müller", encoding)


# --- Round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("letter", VIETNAMESE_LETTERS)
def test_every_letter_round_trips(letter, encoding):
    assert decode(encode(letter, encoding), encoding) == letter
    text = f"Nguyễn Văn {word_for(letter)}"
    result = repair(encode(text, encoding))
    assert (result.text, result.encoding, result.suspicious) == (text, encoding, False)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_all_letters_at_once(encoding):
    text = " ".join(word_for(letter) for letter in VIETNAMESE_LETTERS)
    assert repair(encode(text, encoding)).text == text


NAMES = [
    "Nguyễn Văn An", "Đặng Thị Ngọc Ánh", "Trần Thị Minh Hạnh", "Phạm Thu Hà",
    "Huỳnh Tuấn Thanh Vinh", "Quách Ngọc Tuấn Khánh", "Trương Phương Quyên", "Lê Hà",
    "Hoàng Đình Hiếu", "Dương Hồng Phượng", "Ngô Quốc Đức", "Vũ Thị Phương Hương",
    "Nguyễn Thị Thuỷ", "Nguyễn Thị Thủy", "Khuất Thị Khuyên", "Lò Văn Khoẻ",
    "Trường Tiểu học Ánh Dương", "Tổ Khoa học tự nhiên", "Nhân viên kế toán",
]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("name", NAMES)
def test_realistic_names(name, encoding):
    result = repair(encode(name, encoding))
    assert (result.text, result.encoding) == (name, encoding)


@pytest.mark.parametrize("name", NAMES)
def test_capitals_typed_in_an_h_font(name):
    """.VnTimeH draws the lower-case codes as capitals: "NGUYÔN" is "NGUYỄN"."""
    typed = encode(name.upper(), TCVN3, h_font=True)
    assert all(ord(char) >= 0xA0 or char.isascii() for char in typed)  # only VN3 codes
    assert repair(typed).text == name.upper()


def test_known_mojibake():
    assert repair("NguyÔn V¨n §Æng").text == "Nguyễn Văn Đặng"
    assert repair("Tr\xadêng THCS Hßa Kh¸nh").text == "Trường THCS Hòa Khánh"
    assert repair("Nguyeãn Vaên Ñaëng").text == "Nguyễn Văn Đặng"


def test_windows_characters_for_bytes_0x80_to_0x9f():
    # 0x92 (Ò in the full table) as Windows shows it, inside a word; a dash between words
    # stays a dash.
    assert repair("H\u2019A B×NH").text == "HÒA BÌNH"
    assert repair("Tæ To¸n – Tin").text == "Tổ Toán – Tin"


# --- What must not be converted -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "", "Nguyen Van An", "nguyen.van.an@gmail.com", "0912 345 678", "STT",
    "Nguyễn Văn Đặng", "Đặng", "Ánh", "Nguyễn", "Trường THCS Hòa Khánh",
    # Vietnamese that happens to use only Latin-1 letters
    "Lê Hà", "Tô Hoài Nam", "Hoàng Anh Tú", "Lê Thu Hà", "Email cá nhân", "Ái Vân", "Ý",
    "LÊ HÀ", "ÁNH", "Hoàng", "Hoàng Hoa", "Khánh", "Bùi Tâm", "Thuý", "Quân", "Ông Út",
    # other languages
    "Müller", "Jürgen Müller", "François Lefèvre", "Hélène", "Zoë", "José García",
    "Søren Kierkegård", "Björk Guðmundsdóttir", "João Conceição", "Núñez", "Ærø",
])
def test_unicode_and_foreign_text_is_left_alone(text):
    assert repair(text) == Repair(text, UNICODE, suspicious=False)


def test_a_hint_settles_what_reads_both_ways():
    # "Hoàng" is Unicode, and also VNI for "Hồng": alone it stays, in a VNI sheet it is Hồng.
    assert repair("Hoàng Hoa").text == "Hoàng Hoa"
    assert repair("Hoàng Hoa", hint=VNI).text == "Hồng Hoa"
    assert repair("Hoàng Hoa", hint=TCVN3).text == "Hoàng Hoa"
    # "Löu" is VNI for Lưu and TCVN3 for Lửu: suspicious alone, clear in context.
    assert repair("Minh Löu").suspicious
    assert repair("Minh Löu", hint=VNI).text == "Minh Lưu"


@pytest.mark.parametrize("text", [
    "NguyÔn Vaên An",  # half TCVN3, half VNI
    "Tr\xadêng Xq¸z",  # TCVN3 with a word that converts to nothing Vietnamese
    "§¨¬ Hµ",
])
def test_mojibake_that_cannot_be_converted_is_suspicious(text):
    result = repair(text)
    assert (result.text, result.encoding, result.suspicious) == (text, UNICODE, True)


# --- Syllables ------------------------------------------------------------------------------

@pytest.mark.parametrize("word", [
    "nguyễn", "Khuỷu", "hoà", "hòa", "thuý", "thúy", "quốc", "giữ", "gì", "người", "Đặng",
    "khuya", "ngoẻo", "xuân", "huỳnh", "HƯƠNG", "yến", "uyên", "bát", "bạt", "ánh",
])
def test_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", [
    "haù", "nguyôn", "heõ", "bàt", "ânh", "müller", "ă", "hoàa", "ngyễn", "trườngg", "thanhh",
])
def test_not_syllables(word):
    assert not is_syllable(word)


def test_vietnamese_score_compares_readings():
    typed = encode("Danh sách cán bộ, giáo viên, nhân viên", TCVN3)
    assert vietnamese_score(typed, TCVN3) > vietnamese_score(typed, UNICODE)
    assert vietnamese_score(typed, TCVN3) > vietnamese_score(typed, VNI)
