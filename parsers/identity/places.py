"""Which row of the register a report is about: township, county, prefecture, province.

A place is chosen, never cut out of the text: every register name (and alias) found in the page is
a candidate, weighed by where it was found (the title and the publisher most, the body least) and
by agreement with the county, prefecture or province the page or the source names. A name several
townships share is resolved only by such context; a name unique in China resolves its county (the
register is the evidence). Anything still open stays open, flagged, with its candidate codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from ..models import Evidence, Flag, Place, Source
from .register import (
    SHORT_NAME_BEFORE,
    STEM_NAMESAKES,
    Mention,
    county_name,
    find_names,
    load_register,
    places_in_host,
    prefecture_of,
    prefectures_prefixing_host,
    province_of,
    short_townships_of,
    stem_namesakes,
    township_stem,
    townships_in_path,
    townships_of,
)

# How much a township named in each part of a page says that the page is about it.
# The URL's path (…/yfjd/…: 鱼复街道) is read only among the townships of a county already known.
FIELD_WEIGHT = {"title": 6.0, "header": 5.0, "breadcrumb": 4.0, "path": 3.0, "publisher": 6.0, "disclosure": 5.0, "signature": 4.0, "opening": 2.0, "body": 1.0}
# Agreement with a larger unit named anywhere in the page (or given by the source).
COUNTY_AGREES, PREFECTURE_AGREES, PROVINCE_AGREES, SOURCE_COVERS = 3.0, 2.0, 1.0, 8.0
# A government portal's host that spells the county (xuwen.gov.cn) or prefecture: weaker than the
# page naming it, since a spelling can fit several places (jinan: 济南市, 晋安区, 金安区).
HOST_COUNTY_AGREES, HOST_PREFECTURE_AGREES = 2.5, 1.0
HOST_PREFIX_AGREES = 0.5  # a host label beginning with the prefecture's spelling (cznd: 常州): a tie-break only
# "在县委、县政府的领导下" says the township's county is a 县, "区委、区政府" a 区: a reader's clue
# between namesakes (岩山镇 of 洞口县, not of 新罗区). Only when the text speaks of one kind alone.
VOICE_AGREES = 1.5
# (each led by a lookahead on its first characters, and tried only on a text that holds its suffix, which
# every alternative does: most positions and most texts then fail on one test)
COUNTY_VOICES = {"县": re.compile(r"(?=[县全我本])(县委|县政府|县人民政府|全县|我县|本县)"), "区": re.compile(r"(?=[区全我本])(区委|区政府|区人民政府|全区|我区|本区)"),
                 "旗": re.compile(r"(?=[旗全我本])(旗委|旗政府|旗人民政府|全旗|我旗|本旗)")}
STEM_STRENGTH = 0.4  # 法治舒桥建设: a township of a known county named without its suffix
# The report's own township is named where a report names itself (title, publisher, signature,
# opening); one named only further into the body is a neighbour or a partner, not the author.
MIN_SUBJECT, MIN_SUBJECT_BY_STEM = 1.5, 0.3
STATING_FIELDS = frozenset({"title", "header", "breadcrumb", "publisher", "disclosure", "signature"})  # where a page states its own county


class Field(NamedTuple):
    """A part of the page: where it is (a FIELD_WEIGHT key) and its simplified text."""

    where: str
    text: str


class Context(NamedTuple):
    """Larger units named in the page: code → (where, quote) of the first naming."""

    counties: dict[str, tuple[str, str]]
    prefectures: dict[str, tuple[str, str]]
    provinces: dict[str, tuple[str, str]]
    host_counties: frozenset[str] = frozenset()
    host_prefectures: frozenset[str] = frozenset()
    host_prefix_prefectures: frozenset[str] = frozenset()
    host: str = ""
    voice: str = ""  # 县, 区 or 旗: the only kind of county the text speaks of (县委、县政府 …)


def covered_counties(source: Source | None) -> list[str]:
    """The counties a source publishes for: its ``covers``, else its ``adcode``, else none."""
    if source is None:
        return []
    if source.covers:
        return list(source.covers)
    return [source.adcode] if source.adcode else []


def county_voice(texts: Iterable[str]) -> str:
    """县, 区 or 旗 when the text speaks of that kind of county government alone, else ""."""
    joined = "\n".join(texts)
    spoken = [suffix for suffix, pattern in COUNTY_VOICES.items() if suffix in joined and pattern.search(joined)]
    return spoken[0] if len(spoken) == 1 else ""


def _context(found: list[tuple[str, Mention]], url: str = "", voice: str = "") -> Context:
    counties: dict[str, tuple[str, str]] = {}
    prefectures: dict[str, tuple[str, str]] = {}
    provinces: dict[str, tuple[str, str]] = {}
    target = {"county": counties, "prefecture": prefectures, "province": provinces}
    for where, mention in found:
        if mention.kind in target:
            for code in mention.codes:
                target[mention.kind].setdefault(code, (where, mention.text))
    host = places_in_host(url) if url else {}
    return Context(
        counties, prefectures, provinces, frozenset(host.get("county", ())), frozenset(host.get("prefecture", ())),
        frozenset(prefectures_prefixing_host(url)) if url else frozenset(),
        host=url.split("://", 1)[-1].split("/", 1)[0] if host else "", voice=voice,
    )


def _agreement(county: str, context: Context, covered: list[str], with_county: bool = True) -> float:
    score = SOURCE_COVERS if county in covered else 0.0
    if with_county and county in context.counties:
        score += COUNTY_AGREES
    prefecture = prefecture_of(county)
    if prefecture and prefecture[0] in context.prefectures:
        score += PREFECTURE_AGREES
    if county[:2] + "0000" in context.provinces:
        score += PROVINCE_AGREES
    if county in context.host_counties:
        score += HOST_COUNTY_AGREES
    if prefecture and prefecture[0] in context.host_prefectures:
        score += HOST_PREFECTURE_AGREES
    elif prefecture and prefecture[0] in context.host_prefix_prefectures:
        score += HOST_PREFIX_AGREES
    if context.voice and (county_name(county) or "").endswith(context.voice):
        score += VOICE_AGREES
    return score


def _stem_mentions(fields: list[Field], counties: Iterable[str]) -> list[tuple[str, Mention]]:
    """Townships of the known counties named by their stem alone (舒桥 for 舒桥乡). A stem many
    townships of China share is a word (平安, 新华: STEM_NAMESAKES); a stem that begins a county's
    name (米林 of 米林市) names the county, not its 米林镇."""
    found = []
    namesakes = stem_namesakes()
    for county in counties:
        for township in townships_of(county):
            stem = township_stem(township.name)
            if len(stem) < 2 or stem == township.name or namesakes.get(stem, 0) > STEM_NAMESAKES:
                continue
            for field in fields:
                at = field.text.find(stem)
                while at >= 0 and field.text[at + len(stem): at + len(stem) + 1] in ("县", "市", "区", "旗", "州", "盟"):
                    at = field.text.find(stem, at + 1)
                if at >= 0:
                    found.append((field.where, Mention(at, at + len(stem), stem, (township.code,), STEM_STRENGTH, "township")))
    return found


def _short_township_mentions(fields: list[Field], counties: Iterable[str]) -> list[tuple[str, Mention]]:
    """Two-character townships (唐镇, 派镇) of the counties the page is known to be about, named
    where they read as a name (not the tail of a word: 唐镇 in 盛唐镇守 is not one)."""
    found = []
    for county in counties:
        for township in short_townships_of(county):
            for field in fields:
                at = field.text.find(township.name)
                while at >= 0 and at > 0 and field.text[at - 1] not in SHORT_NAME_BEFORE and "\u4e00" <= field.text[at - 1] <= "\u9fff":
                    at = field.text.find(township.name, at + 1)
                if at >= 0:
                    found.append((field.where, Mention(at, at + 2, township.name, (township.code,), 0.9, "township")))
    return found


def _township_scores(found: list[tuple[str, Mention]]) -> dict[str, tuple[float, str, str]]:
    """code → (score, where, quote): the best weight per field, summed over fields."""
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for where, mention in found:
        if mention.kind != "township":
            continue
        weight = FIELD_WEIGHT[where] * mention.strength
        for code in mention.codes:
            if weight > best.get((code, where), (0.0, ""))[0]:
                best[(code, where)] = (weight, mention.text)
    scores: dict[str, tuple[float, str, str]] = {}
    for (code, where), (weight, quote) in best.items():
        total, first_where, first_quote = scores.get(code, (0.0, where, quote))
        if FIELD_WEIGHT[where] > FIELD_WEIGHT[first_where]:
            first_where, first_quote = where, quote
        scores[code] = (total + weight, first_where, first_quote)
    return scores


# Characters that may stand right before a township's name in a title or a signature: the end of
# a larger unit's name is checked separately; these are function words and a government's end.
NAME_MAY_FOLLOW = set("共于的和与及在对府委")


def find_mentions(fields: list[Field]) -> list[tuple[str, Mention]]:
    """Every register name in every field. In a field that states its author (title, header,
    publisher, signature), a township name glued to a Chinese character that ends no larger unit
    (大西湖镇 holds 西湖镇) is the tail of a name the register does not hold: not a mention."""
    found = []
    for field in fields:
        mentions = find_names(field.text)
        ends = {m.end for m in mentions if m.kind != "township"}
        for mention in mentions:
            if mention.kind == "township" and field.where in STATING_FIELDS and mention.start > 0 and mention.start not in ends:
                before = field.text[mention.start - 1]
                if "\u4e00" <= before <= "\u9fff" and before not in NAME_MAY_FOLLOW:
                    continue
            found.append((field.where, mention))
    return found


def resolve_township(
    found: list[tuple[str, Mention]], context: Context, covered: list[str], least: float = MIN_SUBJECT
) -> tuple[str | None, list[str], Evidence | None]:
    """(code, candidates, evidence): the best-scored township, or None and the tied candidates.
    A township named too faintly (score below ``least``) is not the author: no candidate."""
    scores = {c: s for c, s in _township_scores(found).items() if s[0] >= least}
    if covered and any(load_register().townships[c].county in covered for c in scores):
        scores = {c: s for c, s in scores.items() if load_register().townships[c].county in covered}
    if not scores:
        return None, [], None
    register = load_register()
    totals = {code: score + _agreement(register.townships[code].county, context, covered) for code, (score, _, _) in scores.items()}
    top = max(totals.values())
    best = sorted(code for code, total in totals.items() if total == top)
    if len(best) > 1:
        return None, best, None
    code = best[0]
    _, where, quote = scores[code]
    return code, [], Evidence(source=where, quote=quote)


def resolve_county(context: Context, covered: list[str], found: list[tuple[str, Mention]]) -> tuple[str | None, Evidence | None, str | None]:
    """A county named in the page (or the source's only county), when exactly one fits: (code, evidence, ambiguous name)."""
    if len(covered) == 1:
        return covered[0], Evidence(source="registry", quote=covered[0]), None
    counties = [(where, m) for where, m in found if m.kind == "county"]
    if covered:
        counties = [(w, m._replace(codes=tuple(c for c in m.codes if c in covered))) for w, m in counties]
        counties = [(w, m) for w, m in counties if m.codes]
    counties.sort(key=lambda wm: (-FIELD_WEIGHT[wm[0]], -wm[1].strength))
    for where, mention in counties:
        if len(mention.codes) == 1:
            return mention.codes[0], Evidence(source=where, quote=mention.text), None
        # The mention names all of its codes: only the units above (and the source) tell them apart.
        scores = {c: _agreement(c, context, covered, with_county=False) for c in mention.codes}
        top = max(scores.values())
        fitting = [c for c, score in scores.items() if score == top]
        if top > 0 and len(fitting) == 1:
            return fitting[0], Evidence(source=where, quote=mention.text), None
    if len(context.host_counties) == 1 and not counties:
        (code,) = context.host_counties
        return code, Evidence(source="host", quote=context.host), None
    return None, None, counties[0][1].text if counties else None


def _path_mentions(url: str, counties: list[str]) -> list[tuple[str, Mention]]:
    """Townships of the known counties the page's URL path spells (…/yfjd/… for 鱼复街道)."""
    return [("path", Mention(0, len(segment), segment, (code,), 1.0, "township")) for code, segment in townships_in_path(url, counties)]


def _only_township_of(found: list[tuple[str, Mention]], counties: list[str]) -> tuple[str | None, Evidence | None]:
    """The one township of ``counties`` the page names (in any part), or None when it names none or several."""
    register = load_register()
    named: dict[str, tuple[str, str]] = {}
    for where, mention in found:
        if mention.kind == "township" and mention.strength >= 0.9:
            for c in mention.codes:
                if register.townships[c].county in counties:
                    named.setdefault(c, (where, mention.text))
    if len(named) != 1:
        return None, None
    (code, (where, quote)), = named.items()
    return code, Evidence(source=f"{where}, the only township of the known county named", quote=quote)


def identify_place(fields: list[Field], source: Source | None, want_township: bool = True, url: str = "") -> tuple[Place, list[Flag]]:
    """The register rows a page is about, with the evidence for each field, and flags for what stays open.

    ``url`` is the page's address: a government portal's host name is evidence for its county.
    """
    covered = covered_counties(source)
    found = find_mentions(fields)
    context = _context(found, url, county_voice(f.text for f in fields))
    evidence: list[Evidence] = []
    flags: list[Flag] = []
    code: str | None = None
    candidates: list[str] = []
    township_evidence: Evidence | None = None
    register = load_register()
    stated = {c for c, (where, _) in context.counties.items() if where in STATING_FIELDS}
    # Counties the page is firmly about: the source's, the ones its furniture states, its host's.
    firm = list(dict.fromkeys([*covered, *sorted(stated), *sorted(context.host_counties)]))
    if want_township:
        known = list(dict.fromkeys([*firm, *context.counties]))[:6]
        found = found + _short_township_mentions(fields, known) + _path_mentions(url, known)
        code, candidates, township_evidence = resolve_township(found, context, covered)
        if code is None and not candidates and firm:
            # The county is known (source, header, 来源, host) and the text names exactly one of its
            # townships, if only in the body: that township, whatever its namesakes elsewhere.
            code, township_evidence = _only_township_of(found, firm)
        if code is None and not candidates:
            counties = covered or list(context.counties) or sorted(context.host_counties)
            stems = _stem_mentions(fields, counties[:3])
            code, candidates, township_evidence = resolve_township(stems, context, covered, MIN_SUBJECT_BY_STEM)
    county: str | None
    contradicted = False
    if code and covered and register.townships[code].county not in covered:
        # The source publishes for other counties (#31 item 10): a report naming a township of
        # another county or province is flagged, and credited to it only when a second piece of
        # evidence (the page stating that county, or its host spelling it) agrees.
        township = register.townships[code]
        agrees = township.county in stated or township.county in context.host_counties
        flags.append(Flag(code="place_contradicts_source",
                          detail=f"{township.name} {code} lies in {county_name(township.county)}; the source covers "
                                 f"{'、'.join(f'{c} {county_name(c)}' for c in covered)}"
                                 + ("; the page states that county too" if agrees else "; kept unresolved")))
        if not agrees:
            candidates, code, township_evidence, contradicted = [code], None, None, True
    if code and stated and register.townships[code].county not in stated | set(covered) | context.host_counties:
        # The page states its county in its title, publisher or signature, and the register's only
        # township of that name lies elsewhere: another township (new, renamed or moved since the
        # 2023 codes). The page's county stands; the township stays open, and the conflict is said.
        names = "、".join(sorted({context.counties[c][1] for c in stated}))
        township = register.townships[code]
        flags.append(Flag(code="place_conflict", detail=f"the page names {names}; the register's {township.name} {code} lies in {county_name(township.county)}"))
        candidates, code, township_evidence = [code], None, None
    if code:
        township = register.townships[code]
        county = township.county
        evidence.append(Evidence(source=f"township ({township_evidence.source})" if township_evidence else "township", quote=township_evidence.quote if township_evidence else township.name))
        named = context.counties.get(county)
        if named:
            evidence.append(Evidence(source=f"county ({named[0]})", quote=named[1]))
        elif county in context.host_counties:
            evidence.append(Evidence(source="county (host)", quote=f"{context.host} → {county} {county_name(county)}"))
        elif county in covered:
            evidence.append(Evidence(source="county (registry)", quote=f"{source.id if source else ''}: {county}"))
        else:
            evidence.append(Evidence(source="county (register)", quote=f"{township.name} {code} → {county} {county_name(county)}"))
    else:
        county, county_evidence, ambiguous = resolve_county(context, covered, found) if not contradicted else (None, None, None)
        if county_evidence:
            evidence.append(Evidence(source=f"county ({county_evidence.source})", quote=county_evidence.quote))
        if want_township:
            names = "、".join(f"{register.townships[c].name} {c}" for c in candidates[:8])
            detail = f"several townships fit: {names}" if candidates else "no township of the register named in publisher, title, signature or text"
            flags.append(Flag(code="township_unresolved", detail=detail))
        shared = {register.townships[c].county for c in candidates}
        if county is None and len(shared) == 1 and not contradicted:  # namesakes of one county: the county is known
            county = shared.pop()
            evidence.append(Evidence(source="county (register)", quote=f"every candidate township lies in {county} {county_name(county)}"))
        if county is None:
            why = (f"{ambiguous} names several counties" if ambiguous else "the page's place contradicts its source's counties" if contradicted
                   else "no county in registry entry, publisher, title or text")
            flags.append(Flag(code="county_unresolved", detail=why))
    # Without a county, the units above are still known when every candidate shares them.
    above = [county] if county else [] if contradicted else sorted({register.townships[c].county for c in candidates})
    prefectures = {prefecture_of(c) for c in above}
    provinces = {province_of(c) for c in above}
    prefecture = prefectures.pop() if len(prefectures) == 1 else None
    province = provinces.pop() if len(provinces) == 1 else None
    if prefecture:
        evidence.append(Evidence(source="prefecture (register)", quote=f"{'、'.join(above)} → {prefecture[0]} {prefecture[1]}"))
    if province:
        evidence.append(Evidence(source="province (register)", quote=f"{'、'.join(above)} → {province[0]} {province[1]}"))
    place = Place(
        township=register.townships[code].name if code else None,
        township_code=code,
        county=county_name(county) if county else None,
        prefecture=prefecture[1] if prefecture else None,
        province=province[1] if province else None,
        adcode=county,
        candidates=candidates,
        evidence=evidence,
    )
    return place, flags
