"""Splitting Vietnamese names: family first, given last, explicit columns win."""

from __future__ import annotations

import unicodedata

from edugate.directory.names import split_name


def test_family_middle_given() -> None:
    parts = split_name("  Đặng   Thị Ngọc  Ánh ")
    assert (parts.full, parts.family, parts.middle, parts.given) == (
        "Đặng Thị Ngọc Ánh", "Đặng", "Thị Ngọc", "Ánh")


def test_one_word_names_are_given_names() -> None:
    assert split_name("Ánh").given == "Ánh" and split_name("Ánh").family == ""


def test_decomposed_input_is_stored_composed() -> None:
    parts = split_name(unicodedata.normalize("NFD", "Nguyễn Văn An"))
    assert parts.full == unicodedata.normalize("NFC", "Nguyễn Văn An")


def test_explicit_columns_win_whatever_the_order() -> None:
    parts = split_name("H'Hen Niê", family="Niê", given="H'Hen")
    assert (parts.family, parts.middle, parts.given) == ("Niê", "", "H'Hen")
    parts = split_name("LÊ THỊ HỒNG NHUNG", family="Lê", given="Hồng Nhung")
    assert (parts.family, parts.middle, parts.given) == ("Lê", "THỊ", "Hồng Nhung")
