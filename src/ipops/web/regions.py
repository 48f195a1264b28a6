"""Region names and the GB/T 2260 picker for pages: people see 苏州市, never 320500."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ipops.core.codes import Lang
from ipops.core.regions import load_regions


def _lang(locale: str) -> Lang:
    return "zh" if locale.startswith("zh") else "en"


def region_label(code: str | None, *, locale: str) -> str:
    """The region's name in the page's language, with its province for a city or county; "" for none."""
    if not code:
        return ""
    table = load_regions()
    region = table.get(code)
    if region is None:
        return code  # an unknown code is shown as given, not hidden
    lang = _lang(locale)
    names = [table.name(region.code, lang=lang)]
    parent = table.get(region.parent_code) if region.parent_code else None
    while parent is not None:
        parent_name = table.name(parent.code, lang=lang)
        # a municipality's 市辖区 row carries the municipality's own name: say 上海市 once
        if not parent.placeholder and parent_name != names[-1]:
            names.append(parent_name)
        parent = table.get(parent.parent_code) if parent.parent_code else None
    # Chinese reads from the province down (江苏省 苏州市); English from the place up (Suzhou, Jiangsu)
    return " ".join(reversed(names)) if lang == "zh" else ", ".join(names)


@dataclass(frozen=True, slots=True)
class PickerGroup:
    """One province and its prefecture-level divisions, as an <optgroup>."""

    label: str
    options: tuple[tuple[str, str], ...]  # (code, name)


@cache
def picker_groups(locale: str) -> tuple[PickerGroup, ...]:
    """Provinces with their cities (districts for municipalities); 2,975 counties would swamp a list."""
    table = load_regions()
    lang = _lang(locale)
    groups: list[PickerGroup] = []
    for province in table.by_level("province"):
        name = table.name(province.code, lang=lang)
        cities: list[tuple[str, str]] = []
        for city in table.children(province.code):
            # a municipality's 市辖区/县 rows group its districts: list the districts instead
            members = table.children(city.code) if city.placeholder else [city]
            cities.extend((member.code, table.name(member.code, lang=lang)) for member in members)
        groups.append(PickerGroup(label=name, options=((province.code, name), *cities)))
    return tuple(groups)


def in_picker(code: str | None, *, locale: str) -> bool:
    """Whether the picker lists this code (a county code is kept as an extra selected option)."""
    return any(code == option for group in picker_groups(locale) for option, _ in group.options)
