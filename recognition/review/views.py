from flask import render_template

from . import bp


@bp.get("/reviews")
def mine():
    return render_template("review/mine.html")
