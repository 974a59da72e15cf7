"""One open call per programme for the demo data."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User
from ..extensions import db
from ..timeutil import utcnow
from ..workflow.engine import create, fire
from .models import Call
from .operations import apply_texts

#: programme -> (cycle, {language: {"title": ..., "theme": ...}}), English the source.
DEMO_CALLS = {
    "role_model_city": (
        "2027",
        {
            "en": {
                "title": "Role Model Cities 2027",
                "theme": "Resilient cities sharing their practice",
            },
            "ar": {
                "title": "المدن النموذجية 2027",
                "theme": "مدن قادرة على الصمود تتبادل ممارساتها",
            },
            "es": {
                "title": "Ciudades modelo 2027",
                "theme": "Ciudades resilientes que comparten sus prácticas",
            },
            "fr": {
                "title": "Villes modèles 2027",
                "theme": "Des villes résilientes qui partagent leurs pratiques",
            },
            "ru": {
                "title": "Образцовые города 2027",
                "theme": "Устойчивые города делятся своей практикой",
            },
            "zh": {
                "title": "2027年示范城市",
                "theme": "分享实践经验的韧性城市",
            },
        },
    ),
    "resilience_hub": (
        "2027",
        {
            "en": {
                "title": "Resilience Hubs 2027",
                "theme": "Cities that implement resilience and share their practice",
            },
            "ar": {
                "title": "مراكز القدرة على الصمود 2027",
                "theme": "مدن تنفّذ القدرة على الصمود وتتبادل ممارساتها مع المدن الأخرى",
            },
            "es": {
                "title": "Centros de Resiliencia 2027",
                "theme": "Ciudades que ponen en práctica la resiliencia y comparten su experiencia",
            },
            "fr": {
                "title": "Pôles de résilience 2027",
                "theme": (
                    "Des villes qui mettent en œuvre la résilience et partagent leurs pratiques"
                ),
            },
            "ru": {
                "title": "Центры устойчивости 2027",
                "theme": "Города, которые внедряют устойчивость и делятся своей практикой",
            },
            "zh": {
                "title": "2027年韧性中心",
                "theme": "践行韧性并分享实践经验的城市",
            },
        },
    ),
    "sasakawa_award": (
        "2027",
        {
            "en": {
                "title": "UN Sasakawa Award 2027",
                "theme": "Building resilience through a multi-hazard approach",
            },
            "ar": {
                "title": "جائزة الأمم المتحدة ساساكاوا 2027",
                "theme": "بناء القدرة على الصمود من خلال نهج متعدد المخاطر",
            },
            "es": {
                "title": "Premio Sasakawa de las Naciones Unidas 2027",
                "theme": "Fortalecer la resiliencia mediante un enfoque multiamenaza",
            },
            "fr": {
                "title": "Prix Sasakawa des Nations Unies 2027",
                "theme": "Renforcer la résilience grâce à une approche multirisque",
            },
            "ru": {
                "title": "Премия ООН имени Сасакавы 2027",
                "theme": "Укрепление устойчивости на основе учёта множественных опасностей",
            },
            "zh": {
                "title": "2027年联合国笹川奖",
                "theme": "通过多灾种方法增强韧性",
            },
        },
    ),
}


def load_demo_calls(officer: User | None = None) -> None:
    """Create and open a call per programme unless one exists already."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for programme_id in current_app.extensions["programmes"]:
        exists = db.session.scalar(
            sa.select(Call.id).where(Call.programme_id == programme_id).limit(1)
        )
        if exists:
            continue
        cycle, texts = DEMO_CALLS.get(programme_id, ("2027", {"en": {"title": programme_id}}))
        call = Call(
            programme_id=programme_id,
            cycle=cycle,
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=90),
            review_deadline=now + timedelta(days=150),
            announcement_at=now + timedelta(days=180),
            announcement={},
        )
        apply_texts(call, "en", texts)
        create(call, officer)
        fire(call, "open", officer, "Demo data: opened on loading.")
