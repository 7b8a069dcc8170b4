"""Names, 統一編號, brands and dates that look real, for the demo company's customers."""

from __future__ import annotations

import random
from datetime import date
from itertools import accumulate

from . import _pools as P
from .model import weighted
from .places import Place

_SURNAME_CUM = tuple(accumulate(P.SURNAME_WEIGHTS))
_TAX_WEIGHTS = (1, 2, 1, 2, 1, 2, 4)


def tax_id(rng: random.Random) -> str:
    """A random 8-digit 統一編號 that passes the checksum (old and new rules alike)."""
    digits = [rng.randrange(10) for _ in range(7)]
    total = sum(
        p // 10 + p % 10 for p in (d * w for d, w in zip(digits, _TAX_WEIGHTS, strict=True))
    )
    # The last weight is 1, so the check digit makes the sum a multiple of 10 (hence also of 5).
    digits.append(-total % 10)
    return "".join(map(str, digits))


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random calendar date in [start, end]."""
    return date.fromordinal(rng.randrange(start.toordinal(), end.toordinal() + 1))


def date_text(rng: random.Random, day: date, full: float = 0.5) -> str:
    """A date as YYYY-MM-DD, or coarser (YYYY-MM, YYYY) as people often only know that much."""
    roll = rng.random()
    if roll < full:
        return day.isoformat()
    if roll < full + (1 - full) / 2:
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


def person_name(rng: random.Random, place: Place) -> tuple[str, str]:
    """A (name, surname romanisation) fitting where the person works."""
    if place.country == "jp":
        return f"{rng.choice(P.JP_SURNAMES)} {rng.choice(P.JP_GIVEN)}", ""
    if place.country == "us":
        last = rng.choice(P.US_LAST)
        return f"{rng.choice(P.US_FIRST)} {last}", last.lower()
    surname, roman = weighted(rng, P.SURNAMES, _SURNAME_CUM)
    first, second = (
        (P.GIVEN_MALE_1, P.GIVEN_MALE_2)
        if rng.random() < 0.6
        else (P.GIVEN_FEMALE_1, P.GIVEN_FEMALE_2)
    )
    given = rng.choice(first)
    if rng.random() < 0.95:  # a few people have one-character given names
        given += rng.choice(second.replace(given, ""))
    return surname + given, roman


def _brand(rng: random.Random) -> tuple[str, str]:
    """A two-character brand and its romanisation."""
    first, rom1 = rng.choice(P.BRAND_FIRST)
    second, rom2 = rng.choice(P.BRAND_SECOND)
    while second == first:
        second, rom2 = rng.choice(P.BRAND_SECOND)
    return first + second, rom1 + rom2


def company_name(
    rng: random.Random, place: Place, industry: str
) -> tuple[str, str, str, str, str]:
    """(name, short name, nature, organisation form, domain) for a customer at place."""
    cores, suffixes, _ = P.INDUSTRIES.get(industry) or P.SERVICE_INDUSTRIES[industry]
    if place.country == "jp":
        brand, roman = rng.choice(P.JP_BRANDS)
        core = rng.choice(P.JP_CORES)
        return (
            f"{brand}{core}株式會社",
            brand,
            "外商",
            "株式會社",
            f"{roman}-{rng.choice(suffixes)}.co.jp",
        )
    if place.country == "us":
        brand = rng.choice(P.US_BRANDS)
        core = rng.choice(P.US_CORES)
        form = rng.choice(P.US_FORMS)
        return f"{brand} {core} {form}", brand, "外商", form, f"{brand}{core}.com".lower()
    brand, roman = _brand(rng)
    core = rng.choice(cores)
    domain = roman if rng.random() < 0.5 else f"{roman}-{rng.choice(suffixes)}"
    short = brand + core[0] if rng.random() < 0.4 else brand
    if place.country == "cn":
        city = place.city.split("省")[-1].removesuffix("市")
        nature = rng.choice(("台資企業", "台資企業", "民營企業", "合資企業", "國有企業"))
        tld = ".com.cn" if rng.random() < 0.6 else ".cn"
        return f"{city}{brand}{core}有限公司", short, nature, "有限責任公司", domain + tld
    domain += ".com.tw"
    if core.endswith("事務所"):
        return f"{brand}{core}", short, "合夥", "合夥", domain
    roll = rng.random()
    if roll < 0.06:
        # A Taiwanese subsidiary of a foreign group, or now and then a state-owned enterprise.
        nature = (
            "國營" if industry in ("化工", "物流", "金融服務") and rng.random() < 0.5 else "外商"
        )
        return f"台灣{brand}{core}股份有限公司", short, nature, "股份有限公司", domain
    if core in ("商業銀行", "證券", "票券金融") or roll < 0.62:
        return f"{brand}{core}股份有限公司", short, "股份有限公司", "股份有限公司", domain
    if roll < 0.95 or industry not in ("貿易", "食品", "金屬五金"):
        return f"{brand}{core}有限公司", short, "有限公司", "有限公司", domain
    form = rng.choice(("企業社", "商行"))
    return f"{brand}{core}{form}", short, "獨資", "獨資", domain
