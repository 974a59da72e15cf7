from flask import render_template

from . import bp


@bp.get("/calls")
def calls():
    return render_template("programmes/calls.html", calls=[])
