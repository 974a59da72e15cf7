from flask import render_template

from . import bp


@bp.get("/notifications")
def inbox():
    return render_template("notifications/inbox.html")
