"""Recognition: nominations for recognition programmes, reviewed and decided as workflows."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as settings


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides the defaults and the environment."""
    root = Path(
        (config or {}).get("RECOGNITION_ROOT")
        or os.environ.get("RECOGNITION_ROOT")
        or settings.DEFAULT_ROOT
    )
    app = Flask(
        __name__,
        template_folder=str(root / "templates"),
        instance_path=os.environ.get("RECOGNITION_INSTANCE_PATH") or str(root / "instance"),
    )
    app.config.from_mapping(settings.load(root, app.instance_path))
    app.config.from_mapping(config or {})
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(root / "translations")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if proxies := app.config["RECOGNITION_PROXIES"]:
        # The client's address and scheme as the trusted proxies saw them: sign-in throttling
        # counts per client, not per proxy. Headers beyond the trusted hops are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from . import cli, i18n, web
    from .extensions import babel, csrf, db, limiter, login, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install_gettext(app)
    # Before any blueprint: every <int:...> route then refuses ids no row can have (404).
    web.register_converters(app)

    from . import (
        accounts,
        api,
        audit,
        deliberation,
        letters,
        lifetimes,
        nominations,
        nominees,
        notifications,
        partners,
        programmes,
        public,
        reading,
        reports,
        review,
        secretariat,
        stages,
        webhooks,
        workflow,
    )

    for package in (
        accounts,
        partners,
        nominees,
        programmes,
        nominations,
        letters,
        lifetimes,
        review,
        deliberation,
        secretariat,
        stages,
        public,
        reading,
        reports,
        notifications,
        webhooks,
        api,
        audit,
    ):
        package.init_app(app)
    # Last: every package has registered its guards, roles and filters by now.
    workflow.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
