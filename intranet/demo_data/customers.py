"""Believable customer records (R1, R5–R9, R23, R24, R28, R30, R31, R33) for the demo company."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from . import _pools as P
from .model import weighted
from .names import company_name, date_text, person_name, random_date, tax_id
from .org import SALES_DEPARTMENTS, managers, salespeople
from .places import JAPAN, MAINLAND, TAIWAN_BY_REGION, USA, Place, address, mobile, phone

# Where each sales department's customers are, and how many customers each department has.
_DEPT_WEIGHTS = tuple(accumulate((0.35, 0.25, 0.25, 0.15)))
_SOURCES = ("visit", "customer_form", "agency", "import", "other")
_SOURCE_CUM = tuple(accumulate((45, 20, 8, 17, 10)))
_ACTIVE_GRADES = ("A", "B", "C", "D", "")
_ACTIVE_GRADE_CUM = tuple(accumulate((18, 35, 32, 10, 5)))
# How complete a file is, by stage and grade: prospects sparse, A-grade active customers rich.
_RICHNESS = {"A": (0.85, 1.0), "B": (0.65, 0.9), "C": (0.5, 0.8), "D": (0.4, 0.7), "": (0.3, 0.6)}
_CREDIT_LIMITS = {
    "A": (5_000_000, 20_000_000),
    "B": (1_000_000, 5_000_000),
    "C": (200_000, 1_000_000),
    "D": (0, 200_000),
}
_CREDIT_TERMS = {
    "A": ("月結60天，電匯", "月結90天", "票期60天"),
    "B": ("月結30天", "月結60天，電匯"),
    "C": ("貨到付款", "月結30天"),
    "D": ("預付30%，出貨前付清", "貨到付款"),
}
# Credit grade usually follows the customer grade, one step either way now and then.
_NEAR_GRADE = {"A": "AAAB", "B": "BBBAC", "C": "CCCBD", "D": "DDDC"}
_SERVICE_INDUSTRIES = tuple(P.SERVICE_INDUSTRIES)
_EDIT_WEIGHT = {"A": 5.0, "B": 3.0, "C": 2.0, "D": 1.2, "": 1.0}


@dataclass(slots=True)
class CustomerMeta:
    """What the history planner needs to know about a generated customer beyond its record."""

    place: Place
    domain: str
    industry: str
    richness: float
    weight: float  # relative number of later edits


def _place(rng: random.Random, department: str) -> Place:
    """Where a customer of a sales department sits."""
    if department == "sales-north":
        return rng.choice(TAIWAN_BY_REGION["北區"])
    if department == "sales-central":
        return rng.choice(TAIWAN_BY_REGION["中區"])
    if department == "sales-south":
        return rng.choice(TAIWAN_BY_REGION["東區" if rng.random() < 0.15 else "南區"])
    roll = rng.random()
    return rng.choice(MAINLAND if roll < 0.8 else JAPAN if roll < 0.9 else USA)


def _fill(text: str, rng: random.Random, year: int) -> str:
    """Fill the {n} {m} {p} {y} placeholders of a pool phrase with plausible numbers."""
    if "{" not in text:
        return text
    return text.format(
        n=rng.randrange(2, 40),
        m=rng.randrange(20, 3000),
        p=rng.randrange(3, 35),
        y=rng.randrange(year - 8, year),
    )


class CustomerFactory:
    """Builds customer records one by one, remembering names already used."""

    def __init__(self, rng: random.Random, today: date) -> None:
        """Prepare a factory drawing from rng, with dates no later than today."""
        self.rng = rng
        self.today = today
        self.names: set[str] = set()
        self.managers = managers()
        self.salespeople = salespeople()

    def custody(self, level: str, department: str, home: str, needs_two: bool) -> dict:
        """The custody block (R33); important customers get two or more contacts (R31)."""
        rng = self.rng
        sales = self.salespeople[home]
        if level == "company":
            owner = "director"
            others = [rng.choice(sales), "vp"]
        elif level == "department":
            owner = self.managers[department]
            others = [rng.choice(sales)]
        else:
            owner = rng.choice(sales)
            others = [s for s in sales if s != owner] + [self.managers[department]]
        contacts = [owner]
        if needs_two or rng.random() < 0.25:
            contacts.append(rng.choice(others))
        return {"level": level, "owner": owner, "department": department, "contacts": contacts}

    def person(
        self, place: Place, domain: str, title: str, role: str, name: str, surname: str, p: float
    ) -> dict:
        """One person at the customer (R5), filled to completeness p."""
        rng = self.rng
        r = rng.random
        ch = rng.choice
        senior = role in ("負責人", "經營者")
        if r() < p:
            if role == "負責人" or not surname or r() < 0.3:
                email = f"{surname or 'contact'}{rng.randrange(1, 100)}@{domain}"
            else:
                mailbox = "purchase" if "採購" in title else surname
                email = f"{'account' if title in ('財務主管', '會計') else mailbox}@{domain}"
        else:
            email = ""
        return {
            "role": role,
            "name": name,
            "title": title,
            "phone": (mobile(rng, place) if r() < 0.7 else phone(rng, place)) if r() < p else "",
            "email": email,
            "personality": ch(P.PERSONALITY) if r() < p else "",
            "hobbies": "、".join(rng.sample(P.HOBBIES, rng.randrange(1, 3))) if r() < p else "",
            "family": ch(P.FAMILY) if r() < p * 0.8 else "",
            "education": ch(P.EDUCATION) if r() < p * 0.8 else "",
            "age": (rng.randrange(48, 76) if senior else rng.randrange(28, 61))
            if r() < p
            else None,
            "ability": ch(P.ABILITY) if r() < p else "",
        }

    def build(self, index: int) -> tuple[dict, CustomerMeta]:
        """The record with id C{index:06d} and what the history planner needs about it."""
        rng = self.rng
        r = rng.random
        ch = rng.choice
        today = self.today
        year = today.year

        roll = r()
        level = "company" if roll < 0.15 else "department" if roll < 0.50 else "personal"
        home = weighted(rng, SALES_DEPARTMENTS, _DEPT_WEIGHTS)
        department = "marketing" if level == "company" else home
        place = _place(rng, home)
        card = "distributor" if r() < 0.55 else "terminal"
        if card == "distributor":
            kind = "distributor"
            industry = ch(P.DISTRIBUTOR_INDUSTRIES)
        else:
            roll = r()
            if roll < 0.1 and place.country == "tw":
                kind, industry = "service", ch(_SERVICE_INDUSTRIES)
            elif roll < 0.3:
                kind, industry = "supplier", ch(P.SUPPLIER_INDUSTRIES)
            else:
                kind, industry = "terminal", ch(P.TERMINAL_INDUSTRIES)
        roll = r()
        stage = "prospect" if roll < 0.2 else "active" if roll < 0.9 else "former"
        if stage == "active":
            grade = weighted(rng, _ACTIVE_GRADES, _ACTIVE_GRADE_CUM)
        elif stage == "former":
            grade = ch(("C", "D", "D", ""))
        else:
            grade = ch(("", "", "", "B", "C", "C", "D"))
        low, high = (
            _RICHNESS[grade]
            if stage == "active"
            else (0.35, 0.7)
            if stage == "former"
            else (0.15, 0.5)
        )
        p = low + (high - low) * r()
        potential = ch(P.POTENTIAL) if r() < p else ""
        vip = (stage == "active" and r() < {"A": 0.5, "B": 0.04}.get(grade, 0.0)) or (
            stage == "prospect" and potential.startswith("高") and r() < 0.1
        )
        promising = stage == "prospect" and potential.startswith("高")

        for _ in range(8):  # names rarely collide; retry so that the archive reads like real life
            name, short, nature, form, domain = company_name(rng, place, industry)
            if name not in self.names:
                break
        self.names.add(name)
        if place.country == "tw" and r() < 0.12:
            # Small firms often use their ISP's mailbox and have no website.
            email = (
                f"{domain.split('.')[0]}{rng.randrange(1, 100)}@ms{rng.randrange(1, 80)}.hinet.net"
            )
            website = ""
        else:
            email = f"{ch(('service', 'sales', 'info', 'contact'))}@{domain}"
            website = f"www.{domain}" if r() < 0.8 else f"https://www.{domain}"
        rep, surname = person_name(rng, place)
        addr, postcode = address(rng, place)

        founded_day = random_date(rng, date(1965, 1, 1), date(year - 2, 12, 31))
        if stage == "prospect":
            first_deal = ""
        else:
            latest = today - timedelta(days=1200 if stage == "former" else 90)
            earliest = max(founded_day, date(1995, 1, 1))
            first_deal = date_text(rng, random_date(rng, earliest, max(earliest, latest)), 0.7)
        capital = (
            rng.randrange(10, 20_000) * 100_000
            if form == "股份有限公司"
            else rng.randrange(5, 500) * 100_000
        )
        credit_grade = ch(_NEAR_GRADE[grade]) if grade and stage != "prospect" else ""
        if credit_grade:
            lo, hi = _CREDIT_LIMITS[credit_grade]
            limit = rng.randrange(lo // 50_000, hi // 50_000 + 1) * 50_000
            terms = ch(_CREDIT_TERMS[credit_grade])
        else:
            limit, terms = None, ""
        troubled = credit_grade in ("C", "D") and r() < 0.4
        credit_problems = _fill(ch(P.CREDIT_PROBLEMS[:3]), rng, year) if troubled else ""
        rich = stage == "active"

        record = {
            "id": f"C{index:06d}",
            "card": card,
            "kind": kind,
            "stage": stage,
            "market": "domestic" if place.country == "tw" else "international",
            "channel": "direct"
            if r() < (0.85 if card == "distributor" or kind != "terminal" else 0.6)
            else "indirect",
            "classification": {
                "industry": industry if card == "terminal" or r() < p else "",
                "nature": nature if r() < p else "",
                "region": place.region if card == "distributor" or r() < max(p, 0.6) else "",
                "customer_type": ch(P.CUSTOMER_TYPES[kind]) if r() < p else "",
            },
            "grade": grade,
            "credit": {
                "grade": credit_grade,
                "limit": limit,
                "terms": terms,
                "problems": credit_problems if r() < 0.8 else "",
                "approved_by": "",  # R28: set on the few approved exceptions (story.py)
                "approved_on": "",
            },
            "vip": vip,
            "custody": self.custody(level, department, home, vip or promising),
            "basic": {
                "name": name,
                "short_name": short if r() < p else "",
                "tax_id": tax_id(rng)
                if place.country == "tw" and r() < max(p, 0.5 if rich else 0.2)
                else "",
                "legal_representative": rep if r() < p else "",
                "address": addr if card == "distributor" or r() < max(p, 0.5) else "",
                "postcode": postcode if r() < p else "",
                "phone": phone(rng, place),
                "fax": phone(rng, place) if r() < p * 0.9 else "",
                "email": email if r() < p else "",
                "website": website if r() < p * 0.8 else "",
                "business_scope": ch(
                    P.INDUSTRIES.get(industry, P.SERVICE_INDUSTRIES.get(industry))[2]
                )
                if r() < p
                else "",
                "registered_capital": capital if r() < p else None,
                "founded": date_text(rng, founded_day, 0.4) if r() < p else "",
                "first_deal": first_deal if rich or r() < 0.85 else "",
                "organisation_form": form if r() < p else "",
                "assets": capital * rng.randrange(12, 80) // 10 if r() < p * 0.7 else None,
            },
            "people": [],
            "characteristics": {
                "service_area": ch(P.SERVICE_AREAS[place.region]) if r() < p else "",
                "sales_capacity": _fill(ch(P.SALES_CAPACITY), rng, year) if r() < p else "",
                "development_potential": potential,
                "culture": ch(P.CULTURE) if r() < p else "",
                "business_policy": ch(P.BUSINESS_POLICY) if r() < p else "",
                "employees": rng.randrange(5, 2000) if r() < p else None,
                "annual_sales": capital * rng.randrange(5, 100) // 10 // 10_000 * 10_000
                if r() < p
                else None,
                "management_style": ch(P.MANAGEMENT_STYLE) if r() < p else "",
            },
            "business": {
                "sales_performance": _fill(ch(P.SALES_PERFORMANCE), rng, year)
                if rich and r() < p
                else "",
                "past_performance": _fill(ch(P.PAST_PERFORMANCE), rng, year)
                if stage != "prospect" and r() < p
                else "",
                "manager_quality": ch(P.MANAGER_QUALITY) if r() < p else "",
                "sales_staff_quality": ch(P.SALES_STAFF_QUALITY) if r() < p else "",
                "competitor_relations": ch(P.COMPETITORS) if r() < p else "",
                "cooperation_attitude": ch(P.COOPERATION) if r() < p else "",
            },
            "transactions": {
                "sales_activities": ch(P.SALES_ACTIVITIES) if r() < p else "",
                "problems": ch(P.PROBLEMS) if r() < p * 0.6 else "",
                "strengths": ch(P.STRENGTHS) if r() < p else "",
                "future_plans": _fill(ch(P.FUTURE_PLANS), rng, year + 2) if r() < p else "",
                "reputation": ch(P.REPUTATION) if r() < p else "",
                "credit_status": ch(P.CREDIT_STATUS) if stage != "prospect" and r() < p else "",
                "trade_terms": terms if terms and r() < p else "",
                "credit_problems": credit_problems,
            },
            "notes": ch(P.NOTES) if r() < p * 0.5 else "",
            "source": weighted(rng, _SOURCES, _SOURCE_CUM),
            "contacts": [],
            "events": [],
            "yearly": [],
            "documents": [],
        }
        # The legal representative comes first; richer files know more of the customer's people.
        people = record["people"]
        people.append(
            self.person(
                place, domain, "董事長" if form != "合夥" else "合夥人", "負責人", rep, surname, p
            )
        )
        extra = (
            0 if stage == "prospect" and r() < 0.5 else int(p * 3.5 * r()) + (1 if p > 0.8 else 0)
        )
        for title, role in rng.sample(P.PEOPLE_TITLES[1:], min(extra, 3)):
            name2, surname2 = person_name(rng, place)
            people.append(self.person(place, domain, title, role, name2, surname2, p))
        weight = _EDIT_WEIGHT[grade] if stage == "active" else 1.5 if stage == "prospect" else 0.3
        return record, CustomerMeta(place, domain, industry, p, weight * (1.5 if vip else 1.0))
