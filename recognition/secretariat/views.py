from flask import render_template

from . import bp


@bp.get("/secretariat")
def index():
    return render_template("secretariat/index.html")


@bp.get("/worklists/<workflow_id>/<worklist_id>")
def worklist(workflow_id, worklist_id):
    return render_template("secretariat/index.html")
