"""Schools from the ЄДЕБО register (``education/edebo_schools_2023-06-08_vin_pol_khar_dnipro.csv``).

The export has no coordinates and keys places by the old КОАТУУ code. A school is matched to a
codifier settlement through its address («Населений пункт»: «с. Вербівка, Балаклійський район,
Харківська область») and its former raion (КОАТУУ digits 1–5):

1. the candidates are the codifier settlements of the oblast with that name (apostrophes and case
   folded) and a category that fits the prefix (с. → village, с-ще → selyshche, смт → selyshche or
   city, none → city);
2. a name that is unique in the oblast is a certain match; such matches teach which former raions
   each громада was formed from;
3. a repeated name is resolved only when exactly one candidate lies in a громада formed from the
   school's former raion; otherwise the row is rejected as ambiguous, naming the candidates — it is
   never guessed.

A matched school is placed at its settlement's point, flagged ``location_precision = 'settlement'``
(«за населеним пунктом»); a school whose settlement is not located cannot be placed and is rejected
with that reason. Digital-tool attributes (e-journal, «Мрія», STEM, IT studio, connection, pupils,
teachers, devices) are demo samples for schools in operation: the row's ``source`` says so.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text

from ..catalog import catalog
from .common import (
    DEMO_HROMADY,
    SYNTHETIC_SOURCE,
    DemoContext,
    DemoReport,
    Settlement,
    count_into,
    ewkb,
    inside_shares,
    norm_name,
    prune,
    seeded,
    upsert,
)

EDEBO_FILE = "edebo_schools_2023-06-08_vin_pol_khar_dnipro.csv"
SYNTHETIC_FIELDS = (
    "uses_ejournal",
    "mriya",
    "it_studio",
    "stem_lab",
    "broadband",
    "speed_mbps",
    "wifi",
    "pupils_5_11",
    "teachers_5_11",
    "teachers_vsho",
    "devices_for_pupils",
)
SOURCE = (
    f"ЄДЕБО, вивантаження 08.06.2023 (KSE Loc Data Hub, {EDEBO_FILE}); розташування — за населеним "
    f"пунктом; {', '.join(SYNTHETIC_FIELDS)}: {SYNTHETIC_SOURCE}"
)

_PLACE = re.compile(r"^(с\.|с-ще|смт|м\.)?\s*(.+)$")
# смт (urban-type settlement) became селище in 2024, a few earlier became cities
_PREFIX_CATEGORIES = {"с.": {"C"}, "с-ще": {"X"}, "смт": {"X", "T", "M"}, "м.": {"M"}, None: {"M"}}
_STATUS = {
    "працює": "active",
    "призупинено": "inactive",
    "ліквідовано": "removed",
    "реорганізовано": "removed",
}


@dataclass
class _Place:
    name: str
    prefix: str | None
    former_raion: str | None  # as written, e.g. «Балаклійський район»
    oblast: str
    koatuu_raion: str  # КОАТУУ digits 1–5


@dataclass
class _Candidate:
    code: str
    name: str
    category: str
    hromada: str
    hromada_name: str


def _parse_place(value: str, koatuu: str) -> _Place | None:
    parts = [p.strip() for p in (value or "").split(",")]
    if len(parts) < 2 or not parts[0]:
        return None
    m = _PLACE.match(parts[0])
    oblast = parts[-1].removesuffix(" область").strip()
    former = parts[1] if len(parts) == 3 else None
    return _Place(m.group(2).strip(), m.group(1), former, oblast, (koatuu or "")[:5])


def _codifier_index(
    ctx: DemoContext,
) -> tuple[dict[tuple[str, str], list[_Candidate]], dict[str, str]]:
    """Settlements of every oblast by (oblast name, folded settlement name); oblast name → code."""
    rows = ctx.conn.execute(
        text(
            "SELECT s.code, s.name, s.category, s.hromada_code, h.name AS hromada_name, "
            "o.name AS oblast "
            "FROM territory s JOIN territory o ON o.code = s.oblast_code "
            "LEFT JOIN territory h ON h.code = s.hromada_code WHERE s.level = 4"
        )
    )
    index: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    oblasts = {}
    for r in rows:
        oblasts[norm_name(r.oblast)] = r.oblast
        index[(norm_name(r.oblast), norm_name(r.name))].append(
            _Candidate(r.code, r.name, r.category, r.hromada_code, r.hromada_name)
        )
    return index, oblasts


def _describe(cands: list[_Candidate]) -> str:
    return "; ".join(f"{c.name} ({c.category}) in {c.hromada_name or '—'} громада" for c in cands)


def load(ctx: DemoContext) -> list[DemoReport]:
    path = ctx.path("education", EDEBO_FILE)
    layer = catalog().get("schools")
    ownership_of = layer.fields["ownership"].code_for
    role_of = layer.fields["network_role"].code_for
    index, oblasts = _codifier_index(ctx)
    settlement_by_code: dict[str, Settlement] = {
        s.code: s for ss in ctx.settlements.values() for s in ss
    }

    with path.open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh))
    report = DemoReport(source=path.name, layer="schools", read=len(records))

    # pass 1: parse; certain matches (a name unique in the oblast) teach the former raions of
    # each громада
    parsed = []
    learned: dict[str, set[str]] = defaultdict(set)
    for i, rec in enumerate(records, start=2):
        place = _parse_place(rec.get("Населений пункт", ""), rec.get("Код КОАТУУ", ""))
        if place is None:
            parsed.append((i, rec, None, [], []))
            continue
        every = index.get((norm_name(place.oblast), norm_name(place.name)), [])
        fitting = [c for c in every if c.category in _PREFIX_CATEGORIES[place.prefix]]
        if len(every) == 1 and len(fitting) == 1 and place.koatuu_raion:
            learned[fitting[0].hromada].add(place.koatuu_raion)
        parsed.append((i, rec, place, every, fitting))

    # pass 2: match, then keep the schools of the demo громади
    rows, row_numbers = [], {}
    for i, rec, place, every, fitting in parsed:
        if place is None:
            report.reject(
                i,
                "Населений пункт",
                f"unreadable address {rec.get('Населений пункт')!r}",
                expected=True,
            )
            continue
        raion = f"{place.former_raion}, " if place.former_raion else ""
        where = f"{place.name}, {raion}{place.oblast} обл."
        if norm_name(place.oblast) not in oblasts:
            report.reject(i, "Регіон", f"unknown oblast {place.oblast!r}", expected=True)
            continue
        if not every:
            report.reject(
                i,
                "Населений пункт",
                f"no settlement named {place.name} in {place.oblast} oblast "
                f"in the codifier (renamed since 2023?)",
                expected=True,
            )
            continue
        by_raion = [c for c in fitting if place.koatuu_raion in learned.get(c.hromada, ())]
        if len(every) == 1 and len(fitting) == 1:
            match = fitting[0]
        elif len(by_raion) == 1:
            match = by_raion[0]
        else:
            # about a demo громада unless the former raion rules its candidate out
            about_demo = any(
                c.hromada in DEMO_HROMADY
                and (not learned.get(c.hromada) or place.koatuu_raion in learned[c.hromada])
                for c in every
            )
            if not fitting:
                reason = (
                    f"{where}: the codifier's {_describe(every)} — no category fits "
                    f"«{place.prefix or 'місто'}»"
                )
            elif any(c.hromada in DEMO_HROMADY for c in every):
                reason = (
                    f"ambiguous: {len(every)} settlements named {place.name} in "
                    f"{place.oblast} oblast "
                    f"({_describe(every)}); former raion КОАТУУ {place.koatuu_raion} singles out "
                    f"{'none' if not by_raion else len(by_raion)}"
                )
            else:
                reason = (
                    f"ambiguous: {len(every)} settlements named {place.name} in "
                    f"{place.oblast} oblast, "
                    f"none in a demo громада"
                )
            report.reject(i, "Населений пункт", reason, expected=not about_demo)
            continue
        if match.hromada not in DEMO_HROMADY:
            report.reject(
                i,
                "Населений пункт",
                f"{where}: in {match.hromada_name} громада, not a demo громада",
                expected=True,
            )
            continue
        settlement = settlement_by_code.get(match.code)
        if settlement is None or not settlement.located:
            report.reject(
                i,
                "Населений пункт",
                f"{where}: settlement {match.name} ({match.code}) is not located, "
                f"so the school cannot be placed",
            )
            continue
        edebo = (rec.get("Код в ЄДЕБО") or "").strip()
        if not edebo:
            report.reject(i, "Код в ЄДЕБО", "no ЄДЕБО code")
            continue
        key = (match.hromada, edebo)
        if key in row_numbers:
            report.reject(i, "Код в ЄДЕБО", f"duplicate of row {row_numbers[key]}")
            continue
        status = _STATUS.get((rec.get("Статус") or "").strip())
        if status is None:
            report.reject(i, "Статус", f"unknown status {rec.get('Статус')!r}")
            continue
        capacity = (rec.get("Ліцензовані обсяги") or "").strip()
        address = ", ".join(
            p
            for p in [rec.get("Населений пункт"), rec.get("Місцезнаходження (юридична адреса)")]
            if p and p.strip()
        )
        row = {
            "hromada": match.hromada,
            "code": edebo,
            "katottg": match.code,
            "status": status,
            "name": (rec.get("Повна назва") or rec.get("Скорочена назва") or "").strip(),
            "edebo_id": edebo,
            "kind": "general_secondary",
            "institution_type": (rec.get("Тип закладу") or "").strip() or None,
            "ownership": ownership_of(rec.get("Форма власності")),
            "network_role": role_of(rec.get("Опорний / Філія")),
            "address": address or None,
            "location_precision": "settlement",
            "licensed_capacity": int(capacity) if capacity.isdigit() else None,
            "source": SOURCE,
            "geom": ewkb(settlement.point),
        }
        rows.append(row)
        row_numbers[key] = i

    # every school must lie inside its громада (the settlement points do; checked all the same)
    shares = inside_shares(ctx.conn, {n: (r["hromada"], r["geom"]) for n, r in enumerate(rows)})
    kept = []
    for n, r in enumerate(rows):
        if shares.get(n, 0) < 1:
            report.reject(
                row_numbers[(r["hromada"], r["code"])], "geometry", "outside громада boundary"
            )
        else:
            kept.append(r)
    _add_samples(kept)
    status = upsert(ctx, "schools", kept)
    report.removed = prune(ctx, "schools", {(h, SOURCE) for h in DEMO_HROMADY}, set(status))
    count_into(report, status.values(), [row_numbers[key] for key in status])
    for h, _ in status:
        ctx.loaded_layers.add(("schools", h))
    return [report]


def _add_samples(rows: list[dict]) -> None:
    """Demo values of the digital-tool attributes, for schools in operation (None otherwise)."""
    for r in rows:
        rng = seeded(r["hromada"], f"schools:{r['code']}")
        active = r["status"] == "active"
        pupils = rng.randint(40, 520) if active else None
        teachers = max(4, round(pupils / rng.uniform(9, 14))) if active else None
        values = {
            "uses_ejournal": rng.random() < 0.7,
            "mriya": rng.random() < 0.35,
            "it_studio": rng.random() < 0.2,
            "stem_lab": rng.random() < 0.25,
            "broadband": rng.random() < 0.9,
            "speed_mbps": float(rng.choice([50, 100, 100, 200, 500])),
            "wifi": rng.random() < 0.8,
            "pupils_5_11": pupils,
            "teachers_5_11": teachers,
            "teachers_vsho": round(teachers * rng.uniform(0.3, 1.0)) if active else None,
            "devices_for_pupils": round(pupils * rng.uniform(0.1, 0.6)) if active else None,
        }
        if not active:
            values = {k: None for k in values}
        elif not values["broadband"]:
            values["speed_mbps"] = None
        r.update(values)
