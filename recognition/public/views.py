"""Public pages, no sign-in needed, in every interface language: the directory of recognised
cities, a page per city, the announcements and their feed. Each page carries its title, a
description and Open Graph tags, so that a shared link shows what it leads to."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from babel.core import get_global
from babel.lists import format_list
from flask import abort, current_app, make_response, render_template, request, url_for
from flask_babel import get_locale

from ..config import LANGUAGES
from ..extensions import db
from ..i18n import country_name, current_language, ngettext
from ..i18n import gettext as _
from ..nominations.models import Nomination
from ..programmes.definition import Essentials, Programme
from ..programmes.formbuilder import format_answer
from ..programmes.models import Call
from ..stages.queries import public_stages
from ..web import paginate, public_page
from ..workflow.registry import has_tag
from . import bp
from .certificates import named_areas
from .queries import (
    NOMINEE_ORDER,
    DirectoryFilters,
    announced_calls,
    announced_nominations,
    announcements,
    directory,
    public_files,
    recognised_countries,
    recognised_regions,
    recognised_years,
)

#: A description longer than this is cut (link previews show about as much).
DESCRIPTION_LENGTH = 200
#: The longest search text taken from the address; the rest is ignored.
SEARCH_LENGTH = 100


# -- Page metadata ------------------------------------------------------------------------


def shorten(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """``text`` on one line, cut at a word boundary to at most ``length`` characters."""
    text = " ".join(str(text).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def og_locale(language: str) -> str:
    """The Open Graph locale (language_TERRITORY) of an interface language: ``ar`` ->
    ``ar_EG``, as CLDR's likely subtags complete it."""
    likely = get_global("likely_subtags").get(language, language)
    parts = likely.split("_")
    territory = next((p for p in parts[1:] if len(p) == 2 and p.isupper()), None)
    return f"{parts[0]}_{territory}" if territory else parts[0]


def absolute(endpoint: str, **args: Any) -> str:
    """The page's address on the configured site (never the request's Host header)."""
    base = current_app.config["RECOGNITION_BASE_URL"].rstrip("/")
    return base + url_for(endpoint, **args)


def page_meta(title: str, description: str, kind: str = "website", **extra: Any) -> dict:
    """The title, description and Open Graph tags of the current page, in the reader's
    language; its address keeps its filters and names the language."""
    language = current_language()
    args = {k: v for k, v in query_args().items() if k != "lang"}
    args.update(request.view_args or {})
    return {
        "title": str(title),
        "description": shorten(description),
        "type": kind,
        "url": absolute(request.endpoint, **args, lang=language),
        "locale": og_locale(language),
        "alternate_locales": [og_locale(code) for code in LANGUAGES if code != language],
        "alternates": [(code, absolute(request.endpoint, **args, lang=code)) for code in LANGUAGES],
        **extra,
    }


def listed(items: list[str]) -> str:
    """Items joined as the reader's language joins a list ("A, B and C")."""
    return format_list(items, locale=get_locale()) if items else ""


def query_args() -> dict[str, str]:
    """The request's query arguments that may go into a link: not url_for's own options
    (``_external``, ``_scheme``, ...), which nobody may choose from the address bar."""
    return {k: v for k, v in request.args.items() if not k.startswith("_")}


@bp.context_processor
def link_helpers() -> dict:
    return {"filter_url": filter_url}


def filter_url(**changes: Any) -> str:
    """This page's address with some filters changed (None: removed), the others kept, back
    on the first page."""
    args = {k: v for k, v in query_args().items() if k != "page"}
    for key, value in changes.items():
        if value in (None, ""):
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


# -- Filters read from the address ----------------------------------------------------------


def _arg(name: str, length: int) -> str:
    return " ".join((request.args.get(name) or "").split())[:length]


def _programme_arg(programmes: dict[str, Programme]) -> str | None:
    value = request.args.get("programme")
    return value if value in programmes else None


def _country_arg() -> str | None:
    value = _arg("country", 3).upper()
    return value if len(value) == 2 and value.isalpha() and value.isascii() else None


#: The edition a bare ``?essential=3`` means: the directory filtered on the 2010 Essentials by
#: number alone before programmes used other editions, and such addresses are still shared.
UNNAMED_EDITION = 2010


def area_choices(programmes: dict[str, Programme]) -> dict[int, tuple[Essentials, list[int]]]:
    """The areas of strength the directory filters on, by edition of the Ten Essentials
    ({2010: (the edition, [1, ..., 10])}): the Essentials scored by the criteria of the
    programmes whose decision names areas of strength, titled by their edition."""
    found: dict[int, tuple[Essentials, set[int]]] = {}
    for programme in programmes.values():
        edition = programme.essentials
        if programme.decision != "strengths" or edition is None:
            continue
        numbers = found.setdefault(edition.edition, (edition, set()))[1]
        numbers.update(
            c.essential for c in programme.rubric.criteria if edition.title_of(c.essential or 0)
        )
    return {key: (e, sorted(numbers)) for key, (e, numbers) in sorted(found.items()) if numbers}


def _essential_arg(choices: dict[int, tuple[Essentials, list[int]]]) -> tuple[int, int] | None:
    """The area of strength asked for, as (edition, number): ``2017:3``, or ``3`` as older
    addresses wrote it (UNNAMED_EDITION); None for anything the directory does not offer."""
    found = re.fullmatch(r"(?:([0-9]{4}):)?([0-9]{1,2})", _arg("essential", 8))
    if found is None:
        return None
    edition = int(found.group(1) or UNNAMED_EDITION)
    number = int(found.group(2))
    return (edition, number) if number in choices.get(edition, (None, ()))[1] else None


def edition_programmes(programmes: dict[str, Programme], edition: int) -> list[str]:
    """The ids of the programmes that use ``edition`` of the Ten Essentials."""
    return sorted(
        pid for pid, p in programmes.items() if p.essentials and p.essentials.edition == edition
    )


def recognition_label(programme: Programme | None, call: Call, nomination: Nomination) -> str:
    """What a recognition was: "Role Model City 2025: 5 areas of strength", "UN Sasakawa
    Award … 2026: Laureate"."""
    name = f"{_(programme.title) if programme else call.programme_id} {call.cycle}"
    level = (
        programme.level(nomination.award_level) if programme and nomination.award_level else None
    )
    if level:
        return _("%(where)s: %(message)s", where=name, message=_(level.title))
    if nomination.areas_of_strength:
        outcome = ngettext(
            "%(num)d area of strength",
            "%(num)d areas of strength",
            len(nomination.areas_of_strength),
        )
        return _("%(where)s: %(message)s", where=name, message=outcome)
    return name


def _stage_arg() -> str | None:
    """The confirmed MCR2030 stage asked for (``?stage=stage_c``); None for anything else."""
    value = request.args.get("stage")
    return value if value in {s.id for s in public_stages()} else None


def _stage_title(stage: str | None) -> str | None:
    found = next((s for s in public_stages() if s.id == stage), None)
    return _(found.title) if found else None


# -- The directory ----------------------------------------------------------------------------


@bp.get("/recognised")
@public_page
def recognised():
    """Recognised cities, searchable, by programme, year, country, region and Essential."""
    programmes = current_app.extensions["programmes"]
    areas = area_choices(programmes)
    area = _essential_arg(areas)
    filters = DirectoryFilters(
        programme=_programme_arg(programmes),
        year=_arg("year", 40) or None,
        country=_country_arg(),
        region=_arg("region", 160) or None,
        essential=area[1] if area else None,
        text=_arg("q", SEARCH_LENGTH),
        stage=_stage_arg(),
    )
    stmt = directory(filters)
    if area:  # a number means a different Essential in each edition
        stmt = stmt.where(Call.programme_id.in_(edition_programmes(programmes, area[0])))
    page = paginate(stmt, scalars=False)
    countries = sorted(
        ((code, country_name(code)) for code in recognised_countries()),
        key=lambda pair: pair[1].casefold(),
    )
    chosen = [
        _(programmes[filters.programme].title) if filters.programme else None,
        filters.year,
        country_name(filters.country) if filters.country else None,
        filters.region,
        _(
            "Essential %(number)d of %(edition)s: %(label)s",
            number=area[1],
            edition=_(areas[area[0]][0].title),
            label=_(areas[area[0]][0].title_of(area[1])),
        )
        if area
        else None,
        _("matching “%(text)s”", text=filters.text) if filters.text else None,
        _stage_title(filters.stage),
    ]
    chosen = [c for c in chosen if c]
    title = (
        _("Recognised cities: %(filters)s", filters=listed(chosen))
        if chosen
        else _("Recognised cities")
    )
    return render_template(
        "public/recognised.html",
        page=page,
        programmes=programmes,
        area_choices=areas,
        area=area,
        filters=filters,
        stages=public_stages(),
        years=recognised_years(),
        countries=countries,
        regions=recognised_regions(filters.country),
        lang_arg=request.args.get("lang") if request.args.get("lang") in LANGUAGES else None,
        meta=page_meta(
            title,
            _(
                "The cities recognised by the campaign's programmes: search them by name, "
                "region or country, by programme, year and area of strength."
            ),
        ),
    )


# -- A city's page --------------------------------------------------------------------------


def practice_summary(
    nomination: Nomination, programme: Programme, files: dict[str, list]
) -> list[tuple[Any, list[dict]]]:
    """The answers the city published with its recognition (the fields its programme marks
    public), section by section: [(section, [{field, value | rows | files}])]; nothing
    else of the nomination, and no empty answer."""
    answers = nomination.answers or {}
    public = programme.public_inputs
    summary = []
    for section in programme.sections:
        items = []
        for field in section.fields:
            if not field.public:
                continue
            if field.type == "file":
                if files.get(field.id):
                    items.append({"field": field, "files": files[field.id]})
            elif field.type == "essentials_grid":
                rows = []
                for number, title in enumerate(field.essentials, start=1):
                    prefix = f"{field.id}__{number}__"
                    score = answers.get(prefix + "score") if prefix + "score" in public else None
                    narrative = answers.get(prefix + "narrative") or ""
                    found = files.get(prefix + "evidence", [])
                    if score or narrative or found:
                        rows.append(
                            {
                                "number": number,
                                "title": title,
                                "score": score,
                                "narrative": narrative,
                                "files": found,
                            }
                        )
                if rows:
                    items.append({"field": field, "rows": rows})
            else:
                value = format_answer(programme.inputs[field.id], answers.get(field.id))
                if value not in (None, ""):
                    items.append({"field": field, "value": value})
        if items:
            summary.append((section, items))
    return summary


@bp.get("/recognised/cities/<int:city_id>")
@public_page
def city(city_id: int):
    """A city's public page: its announced recognitions across programmes and years, their
    areas of strength or level, what it published of its practice, its certificates."""
    rows = db.session.execute(
        announced_nominations()
        .where(Nomination.city_id == city_id)
        .order_by(Call.cycle.desc(), Call.announced_at.desc(), Nomination.id)
    ).all()
    if not rows:
        abort(404)
    programmes = current_app.extensions["programmes"]
    city = rows[0][2]
    used = {call.programme_id for _n, call, _c in rows if call.programme_id in programmes}
    public_inputs = set().union(*(programmes[pid].public_inputs for pid in used))
    files = public_files([n for n, _call, _c in rows], public_inputs)
    recognitions = []
    for nomination, call, _c in rows:
        programme = programmes.get(call.programme_id)
        recognitions.append(
            {
                "nomination": nomination,
                "call": call,
                "programme": programme,
                "level": programme.level(nomination.award_level)
                if programme and nomination.award_level
                else None,
                # Titled by the programme's edition of the Ten Essentials.
                "strengths": named_areas(programme, nomination.areas_of_strength or ())
                if programme
                else [],
                "essentials": programme.essentials if programme else None,
                "practice": practice_summary(nomination, programme, files.get(nomination.id, {}))
                if programme
                else [],
            }
        )
    description = _(
        "%(city)s (%(country)s). Recognitions: %(recognitions)s.",
        city=city.name,
        country=country_name(city.country),
        recognitions=listed(
            [recognition_label(r["programme"], r["call"], r["nomination"]) for r in recognitions]
        ),
    )
    return render_template(
        "public/city.html",
        city=city,
        recognitions=recognitions,
        meta=page_meta(city.name, description),
    )


# -- Announcements ----------------------------------------------------------------------------


@bp.get("/announcements")
@public_page
def announcements_index():
    """The announced calls, newest first, by programme and year."""
    programmes = current_app.extensions["programmes"]
    programme = _programme_arg(programmes)
    year = _arg("year", 40) or None
    chosen = [c for c in (_(programmes[programme].title) if programme else None, year) if c]
    title = (
        _("Announcements: %(filters)s", filters=listed(chosen)) if chosen else _("Announcements")
    )
    return render_template(
        "public/announcements.html",
        page=paginate(announcements(programme, year), scalars=False),
        programmes=programmes,
        programme=programme,
        year=year,
        years=recognised_years(),
        lang_arg=request.args.get("lang") if request.args.get("lang") in LANGUAGES else None,
        meta=page_meta(
            title,
            _("The cities each programme recognised, call by call, as they were announced."),
        ),
    )


@bp.get("/announcements/<int:call_id>")
@public_page
def announcement(call_id: int):
    """An announced call: its announcement and the cities it recognised."""
    call = db.get_or_404(Call, call_id)
    if not has_tag(call, "public"):
        abort(404)
    rows = db.session.execute(
        announced_nominations().where(Nomination.call_id == call.id).order_by(NOMINEE_ORDER)
    ).all()
    text = call.announcement_text()
    if text and not text.fallback:
        description = text
    else:
        description = ngettext(
            "%(num)d city recognised: %(cities)s.",
            "%(num)d cities recognised: %(cities)s.",
            len(rows),
            cities=listed([str(n.nominee_name()) for n, _call, _c in rows]),
        )
    return render_template(
        "public/announcement.html",
        call=call,
        programme=call.programme,
        rows=rows,
        text=text,
        meta=page_meta(
            call.text("title"),
            description,
            kind="article",
            published=call.announced_at.replace(tzinfo=UTC).isoformat()
            if call.announced_at
            else "",
        ),
    )


@bp.get("/feed.atom")
@public_page
def feed():
    """An Atom feed of the announcements, in the reader's language where written."""
    calls = db.session.scalars(announced_calls().order_by(Call.announced_at.desc()).limit(50)).all()
    language = current_language()
    asked = request.args.get("lang")
    # The configured address, never the request's Host header (anyone can send one).
    base = current_app.config["RECOGNITION_BASE_URL"].rstrip("/")
    entries = [
        {
            "title": call.text("title"),
            "text": call.announcement_text(),
            "url": base + url_for("public.announcement", call_id=call.id),
            "updated": call.announced_at.replace(tzinfo=UTC).isoformat(),
        }
        for call in calls
    ]
    updated = entries[0]["updated"] if entries else "2000-01-01T00:00:00+00:00"
    body = render_template(
        "public/feed.xml",
        entries=entries,
        updated=updated,
        base=base,
        # The feed a reader subscribed to keeps its language when fetched again.
        self_url=base + url_for("public.feed", lang=asked if asked in LANGUAGES else None),
        language=language,
        # Here, not in the template: the catalogs are extracted from Python and HTML only.
        title=_("Recognition: announcements"),
        subtitle=_("The cities recognised by each programme, as each call is announced."),
        author=_("Recognition"),
    )
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
