"""Validators for Chinese codes: USCC, CNIPA application numbers, GB/T 2260 regions, IPC and Nice classes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

RegionLevel = Literal["province", "city", "county"]
CnipaIpType = Literal["invention", "utility_model", "design"]
Lang = Literal["zh", "en"]


class InvalidCodeError(ValueError):
    """A code failed validation; `code` names the rule (e.g. "uscc_checksum") for problem+json mapping."""

    def __init__(self, message: str, *, code: str, value: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.value = value


def _clean(value: str) -> str:
    """NFKC-fold (full-width digits, letters and dots) and drop all whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


# ----------------------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码), GB 32100-2015, with the GB 11714 organisation code inside it.

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100-2015 table 1 (登记管理部门码 + 机构类别码), plus the later A (军队) and N (农业) authorities.
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常住新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# First two digits of GB/T 2260 provinces, plus 10 for organisations registered centrally (e.g. 121000…).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65".split()
    + ["71", "81", "82"]  # Taiwan, Hong Kong, Macao
)
USCC_CENTRAL_REGION_PREFIX = "10"


@dataclass(frozen=True, slots=True)
class Uscc:
    """A validated unified social credit code split into its parts."""

    code: str
    authority: str  # 登记管理部门码, e.g. "9" = 工商
    org_type: str  # 机构类别码, e.g. "1" = 企业
    region_code: str  # 登记管理机关行政区划码 (6 digits, "100000" = central)
    org_code: str  # GB 11714 organisation code, 9 characters incl. its own check character
    check_char: str

    @property
    def authority_name(self) -> str:
        """The registration authority in Chinese, e.g. 工商."""
        return USCC_AUTHORITIES[self.authority][0]

    @property
    def org_type_name(self) -> str:
        """The organisation type in Chinese, e.g. 企业."""
        return USCC_AUTHORITIES[self.authority][1][self.org_type]


def _org_char_value(char: str) -> int:
    """GB 11714 value of a code character: digits as-is, A=10 … Z=35."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise InvalidCodeError(
        f"{char!r} is not allowed in an organisation code", code="org_code_format", value=char
    )


def organisation_code_check_char(body: str) -> str:
    """The GB 11714 check character for the first 8 characters of an organisation code."""
    body = body.upper()
    if len(body) != 8:
        raise InvalidCodeError(
            "an organisation code body has 8 characters", code="org_code_format", value=body
        )
    remainder = 11 - sum(_org_char_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a unified social credit code."""
    first17 = first17.upper()
    if len(first17) != 17 or any(c not in USCC_CHARSET for c in first17):
        raise InvalidCodeError(
            "a USCC body has 17 characters from 0-9 and A-Y without I, O, S, V, Z",
            code="uscc_format",
            value=first17,
        )
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]  # 31 wraps to 0


def validate_uscc(value: str, *, check_org_code: bool = True) -> Uscc:
    """Validate a unified social credit code and return its parts; raise InvalidCodeError otherwise."""
    code = _clean(value).upper()
    if len(code) != 18:
        raise InvalidCodeError(f"a USCC has 18 characters, got {len(code)}", code="uscc_length", value=value)
    bad = [c for c in code if c not in USCC_CHARSET]
    if bad:
        raise InvalidCodeError(f"USCC contains invalid characters {bad}", code="uscc_format", value=value)
    authority, org_type, region, org_code = code[0], code[1], code[2:8], code[8:17]
    if authority not in USCC_AUTHORITIES or org_type not in USCC_AUTHORITIES[authority][1]:
        raise InvalidCodeError(
            f"unknown registration authority / type {code[:2]}", code="uscc_authority", value=value
        )
    if not region.isdigit() or region[:2] not in PROVINCE_PREFIXES | {USCC_CENTRAL_REGION_PREFIX}:
        raise InvalidCodeError(f"{region} is not a region code", code="region_unknown", value=value)
    if code[17] != uscc_check_char(code[:17]):
        raise InvalidCodeError("USCC check character does not match", code="uscc_checksum", value=value)
    # Some historic codes carry a non-conforming organisation code; callers may opt out of this check.
    if check_org_code and org_code[8] != organisation_code_check_char(org_code[:8]):
        raise InvalidCodeError(
            "organisation code check character does not match", code="org_code_checksum", value=value
        )
    return Uscc(
        code=code,
        authority=authority,
        org_type=org_type,
        region_code=region,
        org_code=org_code,
        check_char=code[17],
    )


def is_valid_uscc(value: str) -> bool:
    """Whether a string is a valid unified social credit code."""
    try:
        validate_uscc(value)
    except InvalidCodeError:
        return False
    return True


# ----------------------------------------------------------------------------------------------------------
# CNIPA (SIPO) patent application numbers.

CNIPA_TYPES: dict[str, tuple[CnipaIpType, bool]] = {
    "1": ("invention", False),
    "2": ("utility_model", False),
    "3": ("design", False),
    "8": ("invention", True),  # PCT application entering the Chinese national phase
    "9": ("utility_model", True),
}
CNIPA_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_CNIPA_RE = re.compile(r"^(?:CN|ZL)?(\d{12}|\d{8})(?:\.?([0-9X]))?$")


@dataclass(frozen=True, slots=True)
class CnipaApplicationNumber:
    """A parsed CNIPA application number; `canonical` is "201910123456.7" (12-digit) or "97101765.4" (old)."""

    year: int
    ip_type: CnipaIpType
    pct: bool
    serial: int
    digits: str  # the number without its check digit: 12 digits since Oct 2003, 8 before
    check: str | None  # None only for 1985-1988 numbers, which were issued without one
    check_given: bool  # False when the input left the check digit out and it was computed

    @property
    def canonical(self) -> str:
        """The number as CNIPA prints it, digits "." check digit."""
        return f"{self.digits}.{self.check}" if self.check is not None else self.digits

    @property
    def patent_number(self) -> str:
        """The patent number of the granted right: ZL + the application number."""
        return f"ZL{self.canonical}"


def cnipa_check_digit(digits: str) -> str:
    """The check digit of a CNIPA application number: Σ digit×(2,3,…,9,2,3,4,5) mod 11, 10 → X."""
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise InvalidCodeError(
            "check digits are computed over 8 or 12 digits", code="cnipa_number_format", value=digits
        )
    remainder = sum(int(d) * w for d, w in zip(digits, CNIPA_WEIGHTS, strict=False)) % 11
    return "X" if remainder == 10 else str(remainder)


def parse_cnipa_application_number(value: str) -> CnipaApplicationNumber:
    """Parse "CN201910123456.7", "ZL 2019 1 0123456.7" or old "97101765.4" numbers; verify the check digit."""
    cleaned = _clean(value).upper()
    match = _CNIPA_RE.match(cleaned)
    if match is None:
        raise InvalidCodeError(
            f"{value!r} is not a CNIPA application number", code="cnipa_number_format", value=value
        )
    digits, given = match.group(1), match.group(2)
    if len(digits) == 12:
        year, type_digit, serial = int(digits[:4]), digits[4], int(digits[5:])
        if year < 2003:  # the 12-digit scheme started on 1 October 2003
            raise InvalidCodeError(
                f"12-digit numbers start in 2003, not {year}", code="cnipa_number_format", value=value
            )
    else:
        yy, type_digit, serial = int(digits[:2]), digits[2], int(digits[3:])
        year = 1900 + yy if yy >= 85 else 2000 + yy  # 8-digit numbers ran from 1985 to September 2003
        if year > 2003:
            raise InvalidCodeError(
                f"8-digit numbers end in 2003, not {year}", code="cnipa_number_format", value=value
            )
    if type_digit not in CNIPA_TYPES:
        raise InvalidCodeError(
            f"unknown application type digit {type_digit}", code="cnipa_number_type", value=value
        )
    ip_type, pct = CNIPA_TYPES[type_digit]
    old_without_check = len(digits) == 8 and year <= 1988  # 1985-1988 numbers had no check digit
    check = None if old_without_check and given is None else cnipa_check_digit(digits)
    if given is not None and given != check:
        raise InvalidCodeError(
            f"check digit should be {check}, not {given}", code="cnipa_number_checksum", value=value
        )
    return CnipaApplicationNumber(
        year=year,
        ip_type=ip_type,
        pct=pct,
        serial=serial,
        digits=digits,
        check=check,
        check_given=given is not None,
    )


def is_valid_cnipa_application_number(value: str) -> bool:
    """Whether a string parses as a CNIPA application number with a matching check digit."""
    try:
        parse_cnipa_application_number(value)
    except InvalidCodeError:
        return False
    return True


# ----------------------------------------------------------------------------------------------------------
# GB/T 2260 administrative division codes (format rules here; the bundled table lives in ipops.core.regions).


def normalise_region_code(value: str | int) -> str:
    """A 6-digit GB/T 2260 code; 12-digit NBS statistical codes are truncated to their first 6 digits."""
    code = _clean(str(value))
    if len(code) == 12 and code.isdigit():
        code = code[:6]  # NBS codes extend GB/T 2260 with township (3) and village (3) digits
    if len(code) != 6 or not code.isdigit():
        raise InvalidCodeError(
            f"{value!r} is not a 6- or 12-digit region code", code="region_format", value=value
        )
    if code[:2] not in PROVINCE_PREFIXES:
        raise InvalidCodeError(f"{code} has no province {code[:2]}", code="region_unknown", value=value)
    return code


def region_level(code: str) -> RegionLevel:
    """province (xx0000), city (xxxx00) or county, judged from the code's shape."""
    code = normalise_region_code(code)
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def province_of(code: str) -> str:
    """The province code (xx0000) containing a region."""
    return normalise_region_code(code)[:2] + "0000"


def city_of(code: str) -> str | None:
    """The city-level code (xxxx00) containing a region, or None for a province."""
    code = normalise_region_code(code)
    return None if code.endswith("0000") else code[:4] + "00"


def parent_of(code: str) -> str | None:
    """The code one level up by shape: county → city, city → province, province → None."""
    level = region_level(code)
    return None if level == "province" else province_of(code) if level == "city" else city_of(code)


def validate_region_code(value: str | int) -> str:
    """The normalised 6-digit code if the bundled GB/T 2260 table has it; raise InvalidCodeError otherwise."""
    from ipops.core.regions import load_regions  # regions imports this module

    code = normalise_region_code(value)
    if load_regions().get(code) is None:
        raise InvalidCodeError(f"{code} is not in the GB/T 2260 table", code="region_unknown", value=value)
    return code


def region_name(code: str, *, lang: Lang = "zh") -> str:
    """The name of a region in the bundled table, Chinese or English."""
    from ipops.core.regions import load_regions

    return load_regions().name(code, lang=lang)


# ----------------------------------------------------------------------------------------------------------
# International Patent Classification symbols.

_IPC_BULK_RE = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{4})(\d{6})$")
_IPC_RE = re.compile(r"^([A-H])(\d{2})([A-Z])(?:(\d{1,4})(?:/(\d{2,6}))?)?$")
_IPC_VERSION_RE = re.compile(r"\(\d{4}\.\d{2}\)$")  # e.g. "(2006.01)" after a CNIPA IPC symbol


@dataclass(frozen=True, slots=True)
class IpcSymbol:
    """An IPC symbol down to subclass, main group or subgroup."""

    section: str
    ipc_class: str  # two digits, e.g. "01"
    subclass: str  # one letter
    main_group: str | None  # digits without leading zeros, e.g. "21"
    subgroup: str | None  # at least two digits, e.g. "768", "00"

    @property
    def subclass_symbol(self) -> str:
        """Section + class + subclass, e.g. H01L."""
        return f"{self.section}{self.ipc_class}{self.subclass}"

    @property
    def canonical(self) -> str:
        """The printed form, "H01L 21/768", or "H01L" for a bare subclass."""
        if self.main_group is None:
            return self.subclass_symbol
        return f"{self.subclass_symbol} {self.main_group}/{self.subgroup}"

    @property
    def bulk(self) -> str | None:
        """The 14-character WIPO bulk form, e.g. H01L0021768000; None for a bare subclass."""
        if self.main_group is None or self.subgroup is None:
            return None
        return f"{self.subclass_symbol}{int(self.main_group):04d}{self.subgroup.ljust(6, '0')}"


def parse_ipc(value: str) -> IpcSymbol:
    """Parse "H01L21/768", "H01L 21/768", "H01L0021768000", "G09G 3/36 (2006.01)" or a bare "H01L"."""
    cleaned = _IPC_VERSION_RE.sub("", _clean(value).upper())
    bulk = _IPC_BULK_RE.match(cleaned)
    if bulk:
        section, klass, subclass, group, sub = bulk.groups()
        # Bulk subgroups are left-aligned and zero-filled: trailing zeros are padding (no /100 next to /10).
        subgroup = sub.rstrip("0").ljust(2, "0")
        return IpcSymbol(section, klass, subclass, str(int(group)), subgroup)
    match = _IPC_RE.match(cleaned)
    if match is None:
        raise InvalidCodeError(f"{value!r} is not an IPC symbol", code="ipc_format", value=value)
    section, klass, subclass, group, sub = match.groups()
    if group is None:
        return IpcSymbol(section, klass, subclass, None, None)
    if int(group) == 0:
        raise InvalidCodeError(f"{value!r} has main group 0", code="ipc_format", value=value)
    subgroup = "00" if sub is None else sub
    return IpcSymbol(section, klass, subclass, str(int(group)), subgroup)


def normalise_ipc(value: str) -> str:
    """The canonical printed IPC symbol, e.g. "H01L 21/768"."""
    return parse_ipc(value).canonical


def ipc_subclass(value: str) -> str:
    """The subclass of an IPC symbol, e.g. "H01L" for "H01L 21/768"."""
    return parse_ipc(value).subclass_symbol


def is_valid_ipc(value: str) -> bool:
    """Whether a string parses as an IPC symbol."""
    try:
        parse_ipc(value)
    except InvalidCodeError:
        return False
    return True


# ----------------------------------------------------------------------------------------------------------
# Nice classification (trademarks): classes 1-34 are goods, 35-45 services.

NICE_GOODS = range(1, 35)
NICE_SERVICES = range(35, 46)


def validate_nice_class(value: int | str) -> int:
    """A Nice class number 1-45 from 9, "09", "第9类" or "Class 9"; raise InvalidCodeError otherwise."""
    if isinstance(value, bool):  # bool is an int subclass; True is not class 1
        raise InvalidCodeError("a Nice class is a number", code="nice_format", value=value)
    if isinstance(value, str):
        text = _clean(value).lower().removeprefix("class").removeprefix("第").removesuffix("类")
        if not text.isdigit():
            raise InvalidCodeError(f"{value!r} is not a Nice class", code="nice_format", value=value)
        number = int(text)
    else:
        number = value
    if not 1 <= number <= 45:
        raise InvalidCodeError(f"Nice classes run from 1 to 45, not {number}", code="nice_range", value=value)
    return number


def nice_kind(value: int | str) -> Literal["goods", "services"]:
    """Whether a Nice class covers goods (1-34) or services (35-45)."""
    return "goods" if validate_nice_class(value) in NICE_GOODS else "services"
