"""The official holiday calendar (SPEC §9, §16): supervisors import a year's State Council arrangement
(file, form, API or CLI); the import is entered in the ledger, becomes the year's working-day calendar for
`app.calendar`, and features holding deadlines recompute them through CALENDAR_CHANGED_HOOKS. Every page
and JSON answer that computed or showed a deadline in a year without a calendar carries a loud warning.
"""


def init_app(app):
    from app import calendar
    from app.auth.permissions import has_role
    from app.extensions import api as rest_api
    from app.holidays import api, cli, services, views
    from app.web.views import add_home_panel, add_nav_item

    calendar.set_provider(services.year_calendar)
    calendar.on_missing(services.note_missing_year)
    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.calendar_cli)
    add_nav_item(app, "节假日", "calendar.index", lambda user: has_role(user, "supervisor", "admin"))
    add_home_panel(app, views.missing_panel)

    @app.context_processor
    def calendar_warning():
        return {"calendar_missing_years": services.missing_years_seen,
                "calendar_missing_warning": services.missing_warning}

    @app.after_request
    def calendar_header(response):
        years = services.missing_years_seen()
        if years:
            response.headers["X-Calendar-Missing"] = ",".join(str(y) for y in years)
        return response
