"""The identity-number, phone and postal-code checks as pure functions (no app, so each case runs once)."""
import pytest
from marshmallow import ValidationError

from distribusi.intake.validators import (
    normalize_phone,
    normalize_rt_rw,
    validate_kk_number,
    validate_nik,
    validate_postal_code,
)

PROVINCES = ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
             "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
             "91", "92", "93", "94", "95", "96"]


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def number(province="14", region="7101", day="15", month="06", year="90", serial="0001") -> str:
    """A 16-digit NIK/KK number built from its parts: province, regency+district, DDMMYY, serial."""
    return f"{province}{region}{day}{month}{year}{serial}"


# (value, why it is valid)
VALID_NIK = [
    *[(number(province=p), f"province {p}") for p in PROVINCES],
    (number(day="01"), "first day"),
    (number(day="31", month="01"), "31 January"),
    (number(day="41"), "woman born on the 1st (day + 40)"),
    (number(day="55"), "woman born on the 15th"),
    (number(day="71", month="12"), "woman born on 31 December"),
    (number(day="29", month="02", year="00"), "29 Feb 2000, a leap year"),
    (number(day="69", month="02", year="00"), "woman born 29 Feb 2000"),
    (number(day="29", month="02", year="96"), "29 Feb 1996"),
    (number(day="29", month="02", year="24"), "29 Feb 2024"),
    (number(day="30", month="04"), "30 April"),
    (number(month="12"), "December"),
    (number(serial="9999"), "last serial"),
    (f"  {number()} ", "surrounding spaces are trimmed"),
]

# (value, a fragment of the Indonesian message that names the broken rule)
INVALID_NIK = [
    ("", "16 digit"),
    ("147101150690001", "16 digit"),  # 15 digits
    ("14710115069000011", "16 digit"),  # 17 digits
    ("14710115069O0001", "16 digit"),  # a letter O for a zero
    ("1471 0115 0690 0001", "16 digit"),
    ("147101-150690001", "16 digit"),
    (number().translate(FULL_WIDTH), "16 digit"),  # full-width digits
    ("147101150690000²", "16 digit"),  # a superscript digit passes str.isdigit()
    ("147101²506900001", "16 digit"),  # ... and int() chokes on it
    (number(province="00"), "kode provinsi"),
    (number(province="10"), "kode provinsi"),
    (number(province="20"), "kode provinsi"),
    (number(province="22"), "kode provinsi"),
    (number(province="37"), "kode provinsi"),
    (number(province="41"), "kode provinsi"),
    (number(province="54"), "kode provinsi"),
    (number(province="66"), "kode provinsi"),
    (number(province="77"), "kode provinsi"),
    (number(province="83"), "kode provinsi"),
    (number(province="90"), "kode provinsi"),
    (number(province="97"), "kode provinsi"),
    (number(province="99"), "kode provinsi"),
    (number(day="00"), "tanggal 00"),
    (number(day="32"), "tanggal 32"),
    (number(day="40"), "tanggal 40"),
    (number(day="72"), "tanggal 72"),
    (number(day="99"), "tanggal 99"),
    (number(month="00"), "bulan 00"),
    (number(month="13"), "bulan 13"),
    (number(day="31", month="02"), "tidak ada di kalender"),
    (number(day="30", month="02", year="00"), "tidak ada di kalender"),
    (number(day="29", month="02", year="01"), "tidak ada di kalender"),  # 2001 is not a leap year
    (number(day="69", month="02", year="01"), "tidak ada di kalender"),  # nor for a woman
    (number(day="29", month="02", year="97"), "tidak ada di kalender"),
    (number(day="31", month="04"), "tidak ada di kalender"),
    (number(day="71", month="11"), "tidak ada di kalender"),  # a woman born on 31 November
    (number(serial="0000"), "nomor urut 0000"),
]


@pytest.mark.parametrize(("value", "why"), VALID_NIK, ids=[why for _, why in VALID_NIK])
def test_valid_nik_is_accepted(value, why):
    assert validate_nik(value) == value.strip()


@pytest.mark.parametrize(("value", "fragment"), INVALID_NIK)
def test_invalid_nik_is_refused_naming_the_rule(value, fragment):
    with pytest.raises(ValidationError) as refused:
        validate_nik(value)
    (message,) = refused.value.messages
    assert message.startswith("NIK")
    assert fragment in message


VALID_KK = [
    *[(number(province=p), f"province {p}") for p in PROVINCES],
    (number(day="01", month="01"), "1 January"),
    (number(day="31", month="12"), "31 December"),
    (number(day="29", month="02", year="00"), "29 Feb 2000"),
    (number(day="29", month="02", year="20"), "29 Feb 2020"),
]

INVALID_KK = [
    ("147101150690001", "16 digit"),
    ("14710115069000011", "16 digit"),
    ("1471011506900A01", "16 digit"),
    ("147101150690000²", "16 digit"),
    (number(province="10"), "kode provinsi"),
    (number(province="20"), "kode provinsi"),
    (number(province="37"), "kode provinsi"),
    (number(province="97"), "kode provinsi"),
    (number(province="99"), "kode provinsi"),
    (number(day="00"), "tanggal 00"),
    (number(day="32"), "tanggal 32"),
    (number(day="41"), "tanggal 41"),  # a KK number has no +40 day
    (number(day="55"), "tanggal 55"),
    (number(day="71", month="01"), "tanggal 71"),
    (number(month="00"), "bulan 00"),
    (number(month="13"), "bulan 13"),
    (number(day="31", month="02"), "tidak ada di kalender"),
    (number(day="29", month="02", year="01"), "tidak ada di kalender"),
    (number(day="31", month="06"), "tidak ada di kalender"),
    (number(serial="0000"), "nomor urut 0000"),
]


@pytest.mark.parametrize(("value", "why"), VALID_KK, ids=[why for _, why in VALID_KK])
def test_valid_kk_number_is_accepted(value, why):
    assert validate_kk_number(value) == value


@pytest.mark.parametrize(("value", "fragment"), INVALID_KK)
def test_invalid_kk_number_is_refused_naming_the_rule(value, fragment):
    with pytest.raises(ValidationError) as refused:
        validate_kk_number(value)
    (message,) = refused.value.messages
    assert message.startswith("Nomor KK")
    assert fragment in message


VALID_PHONES = [
    ("08123456789", "+628123456789"),
    ("081234567890", "+6281234567890"),
    ("0812345678901", "+62812345678901"),
    ("085212345678", "+6285212345678"),  # Telkomsel
    ("087712345678", "+6287712345678"),  # XL
    ("089512345678", "+6289512345678"),  # Tri
    ("088112345678", "+6288112345678"),  # Smartfren
    ("+6281234567890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("0812-3456-7890", "+6281234567890"),
    ("0812 3456 7890", "+6281234567890"),
    ("+62 812-3456-7890", "+6281234567890"),
    (" 081234567890 ", "+6281234567890"),
]

INVALID_PHONES = [
    ("", "landline / nothing"),
    ("02112345678", "Jakarta landline"),
    ("0761123456", "Pekanbaru landline"),
    ("+62211234567", "landline in international form"),
    ("62211234567", "landline without +"),
    ("0812345", "too short"),
    ("08123", "far too short"),
    ("0812345678901234", "too long"),
    ("0812ABCDEFGH", "letters (a keypad-lettered number)"),
    ("0812FLOWERS1", "letters mixed with digits"),
    ("08123456789a", "a trailing letter"),
    ("nomor saya", "words"),
    ("+6581234567", "Singapore mobile"),
    ("+60123456789", "Malaysia mobile"),
    ("+14155552671", "United States"),
    ("0081234567890", "international prefix"),
    ("81234567890", "leading zero lost (a spreadsheet number cell)"),
    ("+62812345678901234567890", "too long in international form"),
]


@pytest.mark.parametrize(("value", "expected"), VALID_PHONES)
def test_mobile_number_is_accepted_and_stored_in_e164(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(("value", "why"), INVALID_PHONES, ids=[why for _, why in INVALID_PHONES])
def test_non_mobile_or_foreign_phone_is_refused(value, why):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(value)
    assert "Nomor HP" in refused.value.messages[0]


def test_refused_phone_stays_refused_on_a_second_call():
    """The cache of normalised numbers must never turn a refusal into an acceptance."""
    for _ in range(2):
        with pytest.raises(ValidationError):
            normalize_phone("02112345678")


@pytest.mark.parametrize("value", ["28122", "10110", "99351", "23111", " 28293 "])
def test_postal_code_is_accepted(value):
    assert validate_postal_code(value) == value.strip()


@pytest.mark.parametrize("value", ["", "08122", "00000", "2812", "281222", "2812a", "28 12", "28-122", "２８１２２",
                                   "²8122"])
def test_bad_postal_code_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        validate_postal_code(value)
    assert refused.value.messages == ["Kode pos harus 5 digit angka dan tidak diawali 0."]


@pytest.mark.parametrize(("value", "expected"), [("3", "003"), ("12", "012"), ("003", "003"), ("999", "999")])
def test_rt_rw_is_padded_to_three_digits(value, expected):
    assert normalize_rt_rw(value, "RT") == expected


@pytest.mark.parametrize("value", ["0", "000", "1000", "abc", "-1", "1.5", "", "²", "０１"])
def test_bad_rt_rw_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        normalize_rt_rw(value, "RW")
    assert refused.value.messages[0].startswith("RW harus angka")
