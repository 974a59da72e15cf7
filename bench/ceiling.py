"""The ceiling bench/http.py compares Recognition's pages with: a bare Flask + Jinja app whose
one page renders a 50-row table from a template, no database, no session, no extension.
Whatever a page of the application costs beyond this is the application's own.

    gunicorn 'bench.ceiling:create_app()'      (from the project's folder)
"""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }}</title>
</head>
<body>
  <main>
    <h1>{{ title }}</h1>
    <table>
      <thead><tr><th>#</th><th>City</th><th>Country</th><th>State</th><th>Score</th></tr></thead>
      <tbody>
      {%- for row in rows %}
        <tr>
          <td><a href="/nominations/{{ row.id }}">{{ row.id }}</a></td>
          <td>{{ row.city }}</td>
          <td>{{ row.country }}</td>
          <td>{{ row.state }}</td>
          <td>{{ "%.2f"|format(row.score) }}</td>
        </tr>
      {%- endfor %}
      </tbody>
    </table>
  </main>
</body>
</html>
"""

ROWS = [
    {
        "id": i,
        "city": f"City {i}",
        "country": ("FR", "KE", "PE", "VN", "JO")[i % 5],
        "state": ("Submitted", "Under review", "Recognised")[i % 3],
        "score": (i * 37 % 100) / 20,
    }
    for i in range(1, 51)
]


def create_app() -> Flask:
    """The ceiling app: ``/`` renders the table (its template compiled once, then cached)."""
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"table.html": PAGE})

    @app.get("/")
    def table():
        return render_template("table.html", title="Fifty rows", rows=ROWS)

    return app
