"""Legal review (重大执法决定法制审核, SPEC §6.1): the agencies' major-decision catalogues, the review package,
eligible reviewers and their queue with the working-day time limit, the checklist, the written opinion, and
the gate that refuses a major decision without an approval of the very draft being decided.

The gate itself runs inside `cases.services.apply_action` (the one way to move a case, used by the web UI,
the JSON API and the CLI alike): this feature fills the hooks that `cases.guards` defines.
"""


def init_app(app):
    from cases import guards
    from review import models  # noqa: F401  (tables known to the metadata)
    from review import services

    for name, value in services.DEFAULTS.items():
        app.config.setdefault(name, value)
    guards.HOOKS["legal_review"] = services.gate
    guards.HOOKS["is_major"] = services.evaluate_major

    from app.auth.models import Role
    from cases.visibility import register_case_scope
    from review.queries import reviewer_case_clause

    register_case_scope(Role.reviewer, reviewer_case_clause)
    from cases.privacy import register_entitlement

    register_entitlement(services.is_case_reviewer)

    from app.extensions import api as rest_api
    from app.web.views import add_home_panel, add_nav_item
    from review import api, cli, demo, views  # noqa: F401  (demo registers its loader)
    from review.permissions import can_view_queue

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.review_cli)
    add_nav_item(app, "法制审核", "review.queue", can_view_queue)
    add_home_panel(app, views.queue_panel)
    from cases.views import add_case_panel

    add_case_panel(app, views.case_panel)
