from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class TokenForm(FlaskForm):
    name = StringField("令牌名称（如设备编号）", validators=[DataRequired("请输入令牌名称"), Length(max=80)])


class EmptyForm(FlaskForm):
    """Carries only the CSRF token (logout, revoke, other one-button actions)."""
