"""Local parts from names: the policies, real-data quirks, reserved parts and collisions."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edugate.mail.addressing import (
    FALLBACK_LOCAL_PART,
    MAX_BASE_LENGTH,
    RESERVED_LOCAL_PARTS,
    AddressPolicy,
    LocalPartAllocator,
    allocate,
    base_local_part,
    is_valid_local_part,
    local_part_for,
)

GIVEN_INITIALS = AddressPolicy.GIVEN_INITIALS
DOT = AddressPolicy.GIVEN_DOT_FAMILY_MIDDLE
FULL = AddressPolicy.FULL


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# The examples ------------------------------------------------------------------------


def test_default_policy_is_given_name_then_initials() -> None:
    assert base_local_part(full_name="Nguyễn Văn An") == "annv"
    assert base_local_part(full_name="Đặng Thị Ngọc Ánh") == "anhdtn"


def test_first_collision_takes_suffix_2() -> None:
    assert local_part_for(full_name="Nguyễn Văn An", taken={"annv"}) == "annv2"


def test_other_policies() -> None:
    assert base_local_part(full_name="Nguyễn Văn An", policy=DOT) == "an.nguyenvan"
    assert base_local_part(full_name="Nguyễn Văn An", policy=FULL) == "nguyenvanan"
    assert base_local_part(full_name="Đặng Thị Ngọc Ánh", policy=DOT) == "anh.dangthingoc"
    assert base_local_part(full_name="Đặng Thị Ngọc Ánh", policy=FULL) == "dangthingocanh"


def test_policies_are_stored_by_value_and_have_labels() -> None:
    assert AddressPolicy("given.family_middle") is DOT
    assert [value for value, _ in AddressPolicy.choices()] == [
        "given_initials", "given.family_middle", "full",
    ]
    assert all(str(policy.label) for policy in AddressPolicy)


# What real data contains ---------------------------------------------------------------------


@pytest.mark.parametrize("policy", list(AddressPolicy))
def test_decomposed_unicode_gives_the_same_part(policy: AddressPolicy) -> None:
    for name in ("Nguyễn Văn An", "Đặng Thị Ngọc Ánh", "Huỳnh Thị Nguyệt Quế"):
        assert base_local_part(full_name=nfd(name), policy=policy) == base_local_part(
            full_name=unicodedata.normalize("NFC", name), policy=policy
        )


def test_all_capitals() -> None:
    assert base_local_part(full_name="NGUYỄN VĂN AN") == "annv"
    assert base_local_part(full_name="ĐẶNG THỊ NGỌC ÁNH", policy=FULL) == "dangthingocanh"


def test_stray_and_double_spaces() -> None:
    assert base_local_part(full_name="  Nguyễn  Văn\tAn \u00a0") == "annv"
    assert base_local_part(full_name="Nguyễn\u200b Văn   An", policy=DOT) == "an.nguyenvan"


def test_d_with_stroke() -> None:
    assert base_local_part(full_name="Đỗ Đức Đạt") == "datdd"
    assert base_local_part(full_name="đỗ đức đạt", policy=FULL) == "doducdat"


def test_apostrophes_and_hyphens_join_the_word() -> None:
    assert base_local_part(full_name="H'Hen Niê", policy=FULL) == "hhennie"
    assert base_local_part(full_name="H’Hen Niê", policy=FULL) == "hhennie"
    assert base_local_part(full_name="Y-Moan Ênuôl", policy=FULL) == "ymoanenuol"
    assert base_local_part(full_name="Nguyễn Văn - An") == "annv"


def test_one_word_name_is_just_that_word() -> None:
    for policy in AddressPolicy:
        assert base_local_part(full_name="Ánh", policy=policy) == "anh"


def test_five_word_name_keeps_every_middle_initial() -> None:
    name = "Tôn Nữ Thị Minh Khai"
    assert base_local_part(full_name=name) == "khaitntm"
    assert base_local_part(full_name=name, policy=DOT) == "khai.tonnuthiminh"
    assert base_local_part(full_name=name, policy=FULL) == "tonnuthiminhkhai"


def test_explicit_family_and_given_columns_win() -> None:
    # A two-word family name in its own column: no middle name left.
    assert base_local_part(full_name="Tôn Nữ Hoa", family="Tôn Nữ", given="Hoa") == "hoatn"
    # A compound given name in its own column is kept whole.
    assert base_local_part(full_name="Lê Thị Hồng Nhung", family="Lê Thị", given="Hồng Nhung") == (
        "hongnhunglt"
    )
    # Only the columns, no full name.
    assert base_local_part(full_name="", family="Trần", given="Bình", policy=DOT) == "binh.tran"


def test_given_first_columns_win() -> None:
    # Ê Đê names are written given name first; the sheet's columns say which is which.
    assert base_local_part(full_name="H'Hen Niê", family="Niê", given="H'Hen") == "hhenn"


def test_digits_and_unusable_words_are_dropped() -> None:
    assert base_local_part(full_name="Nguyễn Văn An 2") == "annv"
    assert base_local_part(full_name="Nguyễn Văn 李") == "vann"


def test_unusable_names_fall_back() -> None:
    for name in ("", "   ", "李小龍", "Иван", "😀 🎉", "123", "'-'"):
        assert base_local_part(full_name=name) == FALLBACK_LOCAL_PART
        assert base_local_part(full_name=name, fallback="") == ""
    assert local_part_for(full_name="", taken={"canbo"}) == "canbo2"
    with pytest.raises(ValueError):
        base_local_part(full_name="", fallback="Cán bộ")


def test_long_names_are_cut_without_a_trailing_dot() -> None:
    long_given = "a" * (MAX_BASE_LENGTH - 1)
    base = base_local_part(full_name=f"Nguyễn {long_given}", policy=DOT)
    assert base == long_given
    assert len(base_local_part(full_name="Nguyễn " + "b" * 500)) == MAX_BASE_LENGTH


# Reserved parts and collisions ---------------------------------------------------------------


def test_reserved_parts_are_never_given() -> None:
    assert local_part_for(full_name="Admin", taken=()) == "admin2"
    assert local_part_for(full_name="Ít", taken=()) == "it2"  # a real given name
    assert local_part_for(full_name="Văn Thư", policy=FULL, taken=()) == "vanthu2"
    assert local_part_for(full_name="Tô Chúc", policy=FULL, taken=()) == "tochuc2"
    assert allocate("postmaster", set()) == "postmaster2"
    assert allocate("annv", set(), reserved={"annv"}) == "annv2"


def test_reserved_list_is_lower_case_and_holds_the_unit_mailboxes() -> None:
    assert all(part == part.lower() for part in RESERVED_LOCAL_PARTS)
    assert {"postmaster", "abuse", "admin", "lienhe", "vanthu", "hieutruong"} <= RESERVED_LOCAL_PARTS


def test_collisions_count_up_from_2() -> None:
    taken: set[str] = set()
    parts = []
    for _ in range(4):
        parts.append(allocate("annv", taken))
        taken.add(parts[-1])
    assert parts == ["annv", "annv2", "annv3", "annv4"]


def test_smallest_free_suffix_fills_gaps() -> None:
    assert allocate("annv", {"annv", "annv3"}) == "annv2"
    assert allocate("annv", {"annv", "annv2", "annv3"}.__contains__) == "annv4"


def test_base_ending_in_a_digit_gets_the_suffix_appended() -> None:
    assert allocate("thcs1", {"thcs1"}) == "thcs12"


def test_suffix_shortens_a_base_at_the_length_limit() -> None:
    base = "a" * 63 + "b"
    assert allocate(base, {base}) == "a" * 63 + "2"
    dotted = "a" * 62 + ".b"
    assert allocate(dotted, {dotted}) == "a" * 62 + "2"


@pytest.mark.parametrize("base", ["", "Annv", "an..nv", ".annv", "annv.", "an nv", "a" * 65])
def test_invalid_base_is_refused(base: str) -> None:
    with pytest.raises(ValueError):
        allocate(base, set())
    with pytest.raises(ValueError):
        LocalPartAllocator().allocate(base)


def test_allocator_counts_up_and_respects_its_seed() -> None:
    allocator = LocalPartAllocator({"annv", "annv3"})
    assert [allocator.allocate("annv") for _ in range(3)] == ["annv2", "annv4", "annv5"]
    allocator.take("binhtt")
    assert allocator.local_part_for(full_name="Trần Thị Bình") == "binhtt2"
    assert "annv5" in allocator
    assert len(allocator) == 7
    # A part freed in the database is reused by the next allocator seeded without it.
    assert LocalPartAllocator({"annv", "annv3"}).allocate("annv") == "annv2"


# Properties ----------------------------------------------------------------------------------

WEIRD = (
    "\u0301\u0300\u0303\u0309\u0323\u0302\u0306\u031b"  # Vietnamese combining marks
    "\u200b\u200d\u200e\u200f\ufeff\u00a0\u3000\t\n"  # zero-width, direction marks, spaces
    "אבגدهو漢字ひらがなДЖ😀🎉👩‍👩‍👧"  # right-to-left scripts, Han, Cyrillic, emoji
    "'’ʼ`-_./@+"  # apostrophes and separators
    "ĐđƠơƯưÂâĂăÊêÔôaAzZ09 "
)
ANY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(categories=["Mn", "Mc", "Me", "Cf", "Zs"])),
    st.text(alphabet=WEIRD, max_size=3000),
)


@settings(max_examples=200, deadline=None)
@given(full_name=ANY_TEXT, family=ANY_TEXT, given_name=ANY_TEXT)
def test_any_text_gives_a_valid_part_for_every_policy(
    full_name: str, family: str, given_name: str
) -> None:
    for policy in AddressPolicy:
        for columns in ({}, {"family": family, "given": given_name}):
            base = base_local_part(full_name=full_name, policy=policy, **columns)
            assert is_valid_local_part(base)
            assert len(base) <= MAX_BASE_LENGTH


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(st.one_of(ANY_TEXT, st.sampled_from(["Nguyễn Văn An", "Admin", "Ít", ""]))),
    seed=st.sets(st.sampled_from(["annv", "annv2", "an", "canbo", "admin2", "it3"])),
    policy=st.sampled_from(list(AddressPolicy)),
)
def test_an_allocator_gives_unique_valid_unreserved_parts(
    names: list[str], seed: set[str], policy: AddressPolicy
) -> None:
    allocator = LocalPartAllocator(seed)
    parts = [allocator.local_part_for(full_name=name, policy=policy) for name in names]
    assert len(set(parts)) == len(parts)
    assert not set(parts) & seed
    assert not set(parts) & RESERVED_LOCAL_PARTS
    assert all(is_valid_local_part(part) for part in parts)


@settings(max_examples=200, deadline=None)
@given(
    bases=st.lists(st.sampled_from(["annv", "anhdtn", "admin", "thcs1", "thcs", "a" * 64])),
    seed=st.sets(st.sampled_from(["annv", "annv2", "annv4", "thcs12", "thcs1", "a" * 63 + "2"])),
)
def test_the_allocator_equals_repeated_allocate(bases: list[str], seed: set[str]) -> None:
    allocator = LocalPartAllocator(seed)
    taken = set(seed)
    for base in bases:
        expected = allocate(base, taken)
        taken.add(expected)
        assert allocator.allocate(base) == expected


ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "kh", "l", "m", "n", "ng", "ngh",
          "nh", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ia", "iê", "ươ", "uô",
          "oa", "uy", "ai", "ao", "oi", "ơi", "ưu", "uyê", "ươi", "oe"]
CODAS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


@st.composite
def syllables(draw: st.DrawFn) -> str:
    """A Vietnamese-looking syllable (NFC), its tone on the first vowel, capitalised."""
    nucleus = draw(st.sampled_from(NUCLEI))
    toned = nucleus[0] + draw(st.sampled_from(TONES)) + nucleus[1:]
    syllable = draw(st.sampled_from(ONSETS)) + toned + draw(st.sampled_from(CODAS))
    return unicodedata.normalize("NFC", syllable).capitalize()


@st.composite
def spellings(draw: st.DrawFn, name: list[str]) -> str:
    """The same name as a sheet might hold it: NFC or NFD, any case, stray spaces."""
    words = []
    for word in name:
        word = "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in word)
        words.append(draw(st.sampled_from(["", " ", "\u00a0"])) + word)
    text = draw(st.sampled_from(["  ", " ", "\t"])).join(words)
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), name=st.lists(syllables(), min_size=1, max_size=5))
def test_spelling_variants_of_a_vietnamese_name_give_the_same_base(
    data: st.DataObject, name: list[str]
) -> None:
    variant = data.draw(spellings(name))
    for policy in AddressPolicy:
        assert base_local_part(full_name=variant, policy=policy) == base_local_part(
            full_name=" ".join(name), policy=policy
        )
