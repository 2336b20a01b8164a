"""JSON API for agency staff (/api/publicity): publications they may see, the preview edits, submission,
approval, non-publication and withdrawal. The same services as the HTML pages; errors as JSON."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_login
from app.errors import NotFound
from app.extensions import db
from publicity import permissions, queries, services
from publicity.schemas import AnnualReportSchema, DeclineInSchema, EditsInSchema, PublicationSchema, WithdrawInSchema

blp = Blueprint("publicity_api", __name__, url_prefix="/api/publicity", description="决定公开（机关内部）")


def _get(pub_id):
    pub = services.get_publication(pub_id)
    if not permissions.can_view_publication(current_user, pub):
        raise NotFound("公开记录不存在")
    return pub


@blp.route("/publications")
class Publications(MethodView):
    @require_login
    @blp.response(200, PublicationSchema(many=True))
    def get(self):
        """Publications of the caller's agency (supervisors: all), newest due date first."""
        return db.session.scalars(queries.visible_publications(current_user).limit(500)).all()


@blp.route("/publications/<int:pub_id>")
class PublicationResource(MethodView):
    @require_login
    @blp.response(200, PublicationSchema)
    def get(self, pub_id):
        return _get(pub_id)

    @require_login
    @blp.arguments(EditsInSchema)
    @blp.response(200, PublicationSchema)
    def patch(self, args, pub_id):
        """Adjust the preview: extra words to mask, or a field's final wording."""
        pub = services.save_edits(_get(pub_id), actor=current_user, extra_terms=args.get("extra_terms"),
                                  fields=args.get("fields_"))
        db.session.commit()
        return pub


@blp.route("/annual-reports/<int:year>")
class AnnualReports(MethodView):
    @require_login
    @blp.response(201, AnnualReportSchema(many=True))
    def post(self, year):
        """Publish the statistics report of a past year (supervisors; SPEC §3). Idempotent."""
        reports = services.publish_annual_report(year, actor=current_user)
        db.session.commit()
        return reports


def _action(name):
    @require_login
    @blp.response(200, PublicationSchema)
    def post(self, pub_id):
        pub = getattr(services, name)(_get(pub_id), actor=current_user)
        db.session.commit()
        return pub

    return post


@blp.route("/publications/<int:pub_id>/submit")
class Submit(MethodView):
    post = _action("submit")


@blp.route("/publications/<int:pub_id>/approve")
class Approve(MethodView):
    post = _action("approve")


@blp.route("/publications/<int:pub_id>/decline")
class Decline(MethodView):
    @require_login
    @blp.arguments(DeclineInSchema)
    @blp.response(200, PublicationSchema)
    def post(self, args, pub_id):
        pub = services.decline(_get(pub_id), ground=args["ground"], note=args["note"], actor=current_user)
        db.session.commit()
        return pub


@blp.route("/publications/<int:pub_id>/withdraw")
class Withdraw(MethodView):
    @require_login
    @blp.arguments(WithdrawInSchema)
    @blp.response(200, PublicationSchema)
    def post(self, args, pub_id):
        """The head withdraws; an officer (or a head giving no reason yet) records the ground and due date."""
        pub = _get(pub_id)
        if permissions.can_withdraw_publication(current_user, pub):
            if pub.withdrawal_reason and not args.get("reason"):
                services.withdraw(pub, actor=current_user)
            else:
                services.withdraw(pub, actor=current_user, reason=args.get("reason"), note=args.get("note"),
                                  event_on=args.get("event_on"))
        else:
            services.request_withdrawal(pub, reason=args.get("reason"), note=args.get("note"),
                                        event_on=args.get("event_on"), actor=current_user)
        db.session.commit()
        return pub
