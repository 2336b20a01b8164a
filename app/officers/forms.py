"""HTML forms (Flask-WTF, so each carries a CSRF token). Business rules stay in the services."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.officers.models import CERT_KIND_LABELS, EMPLOYMENT_LABELS, REVOCATION_LABELS


class OfficerForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    agency_id = SelectField("执法主体", coerce=int)
    employment_type = SelectField("用工性质", choices=[(k.value, v) for k, v in EMPLOYMENT_LABELS.items()])
    id_number = StringField("身份证号（仅内部使用）", validators=[Optional(), Length(max=20)])
    username = StringField("关联账户（用户名，可空）", validators=[Optional(), Length(max=64)])
    qualification_number = StringField("法律职业资格证号（法制审核人员）", validators=[Optional(), Length(max=40)])
    qualification_date = DateField("法律职业资格取得日期", validators=[Optional()])
    photo = FileField("照片（PNG或JPEG，不超过1MB）")


class OfficerEditForm(FlaskForm):
    employment_type = SelectField("用工性质", choices=[(k.value, v) for k, v in EMPLOYMENT_LABELS.items()])
    username = StringField("关联账户（用户名，可空）", validators=[Optional(), Length(max=64)])
    qualification_number = StringField("法律职业资格证号", validators=[Optional(), Length(max=40)])
    qualification_date = DateField("法律职业资格取得日期", validators=[Optional()])
    photo = FileField("更换照片（PNG或JPEG，不超过1MB）")


class CertificateForm(FlaskForm):
    number = StringField("证件号", validators=[DataRequired("请填写证件号"), Length(max=32)])
    kind = SelectField("证件类型", choices=[(k.value, v) for k, v in CERT_KIND_LABELS.items()])
    categories = StringField("执法类别（多个用“、”分隔）", validators=[DataRequired("请填写执法类别")])
    area_code = StringField("执法区域（行政区划代码或地名）", default="220681",
                            validators=[DataRequired("请填写执法区域")])
    issued_on = DateField("发证日期", validators=[DataRequired("请填写发证日期")])
    expires_on = DateField("有效期至", validators=[DataRequired("请填写有效期")])
    issuer = StringField("发证机关", default="吉林省人民政府", validators=[Optional(), Length(max=80)])
    filed_on = DateField("司法局备案日期（国务院部门证件）", validators=[Optional()])
    reason = TextAreaField("备注", validators=[Optional(), Length(max=500)])


class EventForm(FlaskForm):
    """One form for every lifecycle action; the service says which fields each needs."""

    on = DateField("日期", validators=[DataRequired("请填写日期")])
    reason = TextAreaField("原因", validators=[Optional(), Length(max=500)])
    until = DateField("暂扣至（含当日，可空）", validators=[Optional()])
    year = IntegerField("年检年度", validators=[Optional()])
    passed = BooleanField("年检通过", default=True)
    reason_type = SelectField("吊销事由", choices=[(k.value, v) for k, v in REVOCATION_LABELS.items()],
                              default="other")


class ImportForm(FlaskForm):
    file = FileField("表格文件（.xlsx 或 .csv）")
