from flask import render_template

from . import bp


@bp.get("/recognised")
def recognised():
    return render_template("public/recognised.html")


@bp.get("/feed.atom")
def feed():
    return "", 200, {"Content-Type": "application/atom+xml"}
