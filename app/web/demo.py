"""`flask demo load`: a realistic Linjiang (临江市, 吉林省白山市) demo.

Features add their part with `@register_demo(order)`; loaders run in order inside one transaction and
share a context dict (agencies by key, users by username, ...). Loading is idempotent: a database that
already holds the demo is left as it is.
"""
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import today_china

DEMO_PASSWORD = "Linjiang@2026"
_LOADERS = []

demo_cli = AppGroup("demo", help="Demo data.")


def register_demo(order):
    def decorator(func_):
        _LOADERS.append((order, func_.__module__ + "." + func_.__name__, func_))
        return func_

    return decorator


@demo_cli.command("load")
def load():
    """Load the Linjiang demo (agencies, accounts of every role, and each feature's records)."""
    from app.auth.models import User

    if db.session.scalar(select(func.count(User.id))):
        click.echo("demo: the database already holds accounts; nothing loaded")
        _print_logins()
        return
    ctx = {}
    for _order, name, loader in sorted(_LOADERS, key=lambda x: (x[0], x[1])):
        loader(ctx)
        db.session.flush()
    db.session.commit()
    click.echo("demo: loaded " + ", ".join(f"{k}={len(v)}" for k, v in ctx.items() if isinstance(v, dict)))
    _print_logins()


def _print_logins():
    from app.auth.models import User

    click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for user in db.session.scalars(select(User).order_by(User.id)):
        where = user.agency.short_name if user.agency else "全市"
        roles = "、".join(r.label for r in sorted(user.roles, key=lambda r: r.value))
        click.echo(f"  {user.username:<14} {user.full_name:<6} {where:<8} {roles}")


AGENCIES = [
    # key, name, short name, document prefix, org sequence for the credit code, categories, legal basis
    ("cg", "临江市城市管理行政执法局", "市城管执法局", "临城管", 1101,
     ["城市管理", "住建", "生态环境"],
     "《中华人民共和国行政处罚法》；《城市市容和环境卫生管理条例》；《吉林省城市管理综合行政执法条例》；"
     "临江市人民政府关于相对集中行政处罚权的决定"),
    ("sj", "临江市市场监督管理局", "市市场监管局", "临市监", 1102, ["市场监管"],
     "《中华人民共和国行政处罚法》；《中华人民共和国食品安全法》；《中华人民共和国产品质量法》"),
    ("zr", "临江市自然资源局", "市自然资源局", "临自然资", 1103, ["自然资源"],
     "《中华人民共和国土地管理法》；《中华人民共和国矿产资源法》；《中华人民共和国森林法》"),
    ("jt", "临江市交通运输局", "市交通运输局", "临交", 1104, ["交通运输"],
     "《中华人民共和国道路运输条例》；《中华人民共和国公路法》；《吉林省道路运输条例》"),
]

# username, full name, agency key (None = city-wide), roles
USERS = [
    ("admin", "系统管理员", None, ["admin"]),
    ("jiandu", "孙立华", None, ["supervisor"]),
    ("cg_wangqiang", "王强", "cg", ["officer"]),
    ("cg_liuyang", "刘洋", "cg", ["officer"]),
    ("cg_zhaomin", "赵敏", "cg", ["reviewer"]),
    ("cg_chenjz", "陈建中", "cg", ["head"]),
    ("sj_zhoujing", "周静", "sj", ["officer"]),
    ("sj_wuhao", "吴昊", "sj", ["officer"]),
    ("sj_zhenglin", "郑琳", "sj", ["reviewer"]),
    ("sj_fengguo", "冯国栋", "sj", ["head"]),
    ("zr_hanxue", "韩雪", "zr", ["officer"]),
    ("zr_yangfan", "杨帆", "zr", ["officer"]),
    ("zr_heping", "何平", "zr", ["reviewer", "officer"]),
    ("zr_luozh", "罗志海", "zr", ["head"]),
    ("jt_guojun", "郭军", "jt", ["officer"]),
    ("jt_majie", "马杰", "jt", ["officer"]),
    ("jt_tangli", "唐丽", "jt", ["reviewer"]),
    ("jt_songwei", "宋伟", "jt", ["head"]),
]


@register_demo(10)
def load_accounts(ctx):
    from app.auth.services import create_user, create_agency
    from app.validators import make_credit_code

    agencies = ctx.setdefault("agencies", {})
    for key, name, short, prefix, seq, categories, basis in AGENCIES:
        agencies[key] = create_agency(
            name=name, short_name=short, doc_prefix=prefix,
            credit_code=make_credit_code(region="220681", org_seq=seq, authority="1", category="1"),
            region_code="220681", categories=categories, legal_basis=basis,
            address="吉林省白山市临江市建国大街" + str(seq - 1000) + "号", phone="0439-52" + str(seq)[-4:],
            # public before the demo's oldest case (事前公开 gate, SPEC §3)
            published_on=date(today_china().year - 5, 1, 1))
    users = ctx.setdefault("users", {})
    for username, full_name, agency_key, roles in USERS:
        users[username] = create_user(username=username, password=DEMO_PASSWORD, full_name=full_name,
                                      roles=roles, agency=agencies.get(agency_key))
