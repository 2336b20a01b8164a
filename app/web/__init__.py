"""The web shell: home page per role, health check, template helpers, `flask demo`."""


def init_app(app):
    from app.web import views
    from app.web.demo import demo_cli

    app.register_blueprint(views.bp)
    app.cli.add_command(demo_cli)
    views.register_template_helpers(app)
