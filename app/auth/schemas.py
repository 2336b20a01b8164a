from marshmallow import Schema, fields, validate

from app.schemas import UTCDateTime


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1))
    name = fields.String(load_default="API", validate=validate.Length(max=80),
                         metadata={"description": "Token name, e.g. the device id"})


class TokenIssuedSchema(Schema):
    id = fields.Integer()
    token = fields.String(metadata={"description": "Shown once; send as `Authorization: Bearer <token>`"})
    expires_at = UTCDateTime()


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = UTCDateTime()
    expires_at = UTCDateTime(allow_none=True)
    revoked_at = UTCDateTime(allow_none=True)
    last_used_at = UTCDateTime(allow_none=True)


class AgencyRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    roles = fields.Method("get_roles")
    agency = fields.Nested(AgencyRefSchema, allow_none=True)

    def get_roles(self, user):
        return sorted(r.value for r in user.roles)
