"""Flask extensions, created unbound and bound to the app in create_app."""

import weakref

import click
import flask_limiter
from flask import Flask, current_app, has_app_context, request
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage, Storage
from limits.strategies import RateLimiter
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter keeping its storage in each app, as Flask extensions keep their state.

    Flask-Limiter holds one storage per Limiter object, replaced by every ``init_app``: two
    apps in one process would count together. Here each app counts in its own storage (from
    its ``RATELIMIT_STORAGE_URI``), so apps count apart as separate workers do, unless they
    share a storage such as Redis.
    """

    _STATE = "recognition.limiter"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._apps: weakref.WeakSet[Flask] = weakref.WeakSet()

    def init_app(self, app: Flask) -> None:
        self._storage_options = {}  # this app's RATELIMIT_STORAGE_OPTIONS only
        super().init_app(app)
        if not app.config["RATELIMIT_ENABLED"]:
            return
        app.extensions[self._STATE] = {"storage": self._storage, "limiter": self._limiter}
        self._apps.add(app)
        app.before_request(self._warn_if_counting_per_process)

    def _state(self) -> dict | None:
        """The current app's storage and strategy (None outside an app, or before init_app)."""
        return current_app.extensions.get(self._STATE) if has_app_context() else None

    @property
    def storage(self) -> Storage:
        state = self._state()
        return super().storage if state is None else state["storage"]

    @property
    def limiter(self) -> RateLimiter:
        state = self._state()
        return super().limiter if state is None else state["limiter"]

    def reset(self) -> None:
        """Clear the counts of every app this limiter serves."""
        storages = [app.extensions[self._STATE]["storage"] for app in list(self._apps)]
        for storage in {id(storage): storage for storage in storages}.values():
            try:
                storage.reset()
            except storage.base_exceptions:
                self.logger.warning("could not reset the storage %r", storage, exc_info=True)

    def _warn_if_counting_per_process(self) -> None:
        """Say so once when several processes serve while each counts in its own memory: the
        limits would then be multiplied by the number of workers."""
        state = current_app.extensions[self._STATE]
        if (
            request.environ.get("wsgi.multiprocess")
            and isinstance(state["storage"], MemoryStorage)
            and not state.get("warned")
        ):
            state["warned"] = True
            current_app.logger.warning(
                "Several processes serve this app but each counts sign-in failures and "
                "request limits in its own memory: set RATELIMIT_STORAGE_URI to a shared "
                "storage, e.g. redis://127.0.0.1:6379"
            )


class Migrate:
    """Flask-Migrate, imported when a migration runs rather than by every process.

    Flask-Migrate imports Alembic (about 10 MB a process) and only migrations need it: web
    workers, the outbox sender and the scheduler never do. ``init_app`` registers the
    ``flask db`` commands, loaded when the command line asks for them, and puts in
    ``app.extensions["migrate"]`` a stand-in that sets up Flask-Migrate on first use, so
    that ``flask_migrate.upgrade()`` and ``migrations/env.py`` work unchanged.
    """

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        app.extensions["migrate"] = _MigrateOnFirstUse(app, db, directory)
        app.cli.add_command(_MigrationCommands("db", help="Perform database migrations."))


class _MigrateOnFirstUse:
    """``app.extensions["migrate"]`` until first read: then Flask-Migrate's own."""

    def __init__(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        self._app = weakref.ref(app)
        self._db = db
        self._directory = directory

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):  # never for this object's own state (copies, pickling)
            raise AttributeError(name)
        from flask_migrate import Migrate as FlaskMigrate

        app = self._app()
        FlaskMigrate().init_app(app, self._db, directory=self._directory)  # replaces self
        return getattr(app.extensions["migrate"], name)


class _MigrationCommands(click.Group):
    """``flask db``: Flask-Migrate's command group, imported when it is used; ``flask --help``
    lists it without importing it."""

    @staticmethod
    def _commands() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: object,
    ) -> click.Context:
        # The context, and so the options, help and subcommands, are Flask-Migrate's own.
        return self._commands().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._commands().get_command(ctx, cmd_name)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
