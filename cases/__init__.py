"""Cases: the power list, the enforcement procedure, steps, parties, documents and deadlines."""


def init_app(app):
    from cases import models  # noqa: F401  (tables known to the metadata)

    for module in ("cases.api", "cases.views", "cases.cli", "cases.demo"):
        try:
            mod = __import__(module, fromlist=["init_app"])
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
            continue
        mod.init_app(app)
