"""The supervisor's import form (Flask-WTF for the CSRF token); the rules are in services."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class ImportForm(FlaskForm):
    year = IntegerField("年份", validators=[Optional()])
    source = StringField("依据（国务院办公厅通知名称及文号）", validators=[Optional(), Length(max=300)])
    file = FileField("文件（.json 或 .csv，格式见下）")
    holidays = TextAreaField("放假日（每行一项：日期或“起~止”，空格后写名称）", validators=[Optional()])
    workdays = TextAreaField("调休上班日（每行一项：日期，空格后写名称）", validators=[Optional()])
