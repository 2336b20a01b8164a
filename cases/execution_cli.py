"""`flask cases pay|plan|plan-decide|statement|execution`: the execution phase from the command line, acting
as the user named by --as (same permissions, workflow and guards as the web and the API). The transitions
are `flask cases action CASE send_reminder|apply_enforcement|suspend_execution|... --as ... --data '{...}'`."""
from __future__ import annotations

import json

import click
from marshmallow import ValidationError

from app.errors import DomainError
from app.extensions import db
from cases.cli import _case, _fail, _user, cases_cli


def _run(func):
    try:
        result = func()
        db.session.commit()
        return result
    except (DomainError, ValidationError) as err:
        raise _fail(err) from None


@cases_cli.command("pay")
@click.argument("ref")
@click.option("--amount", required=True, help="缴款金额（元）")
@click.option("--on", "paid_on", default=None, help="缴款日期 YYYY-MM-DD（默认今天）")
@click.option("--receipt", default="", help="缴款凭证号")
@click.option("--method", default="bank", type=click.Choice(["bank", "on_spot", "court", "other"]))
@click.option("--as", "username", required=True, help="登记的承办执法人员用户名")
def pay(ref, amount, paid_on, receipt, method, username):
    """登记缴款（可部分缴纳；缴清即执行完毕）。"""
    from cases import services
    from cases.execution_schemas import PaymentInSchema

    def do():
        case = _case(ref)
        data = PaymentInSchema().load({"amount": amount, "paid_on": paid_on, "receipt_number": receipt,
                                       "method": method})
        services.record_payment(case, data, actor=_user(username))
        return case

    case = _run(do)
    click.echo(f"{case.number}: 已登记缴款{amount}元；状态：{case.status_label}；累计已缴{case.paid_amount}元")


@cases_cli.command("plan")
@click.argument("ref")
@click.option("--data", "data_json", required=True,
              help='JSON，如 {"kind": "instalments", "reason": "...", "instalments": [{"due_on": "...", "amount": "500"}]}')
@click.option("--as", "username", required=True)
def plan(ref, data_json, username):
    """登记当事人暂缓或者分期缴纳罚款的申请（行政处罚法第六十六条）。"""
    from cases import services
    from cases.execution_schemas import PlanInSchema

    def do():
        case = _case(ref)
        data = PlanInSchema().load(json.loads(data_json))
        data["instalments"] = [{"due_on": r["due_on"].isoformat(), "amount": str(r["amount"])}
                               for r in data["instalments"]]
        return services.apply_for_plan(case, data, actor=_user(username))

    try:
        result = _run(do)
    except json.JSONDecodeError:
        raise click.BadParameter("--data 不是有效的JSON") from None
    click.echo(f"申请{result.id}：{result.kind_label}，待审批")


@cases_cli.command("plan-decide")
@click.argument("ref")
@click.argument("plan_id", type=int)
@click.option("--approve/--reject", required=True)
@click.option("--note", default="")
@click.option("--as", "username", required=True, help="机关负责人用户名")
def plan_decide(ref, plan_id, approve, note, username):
    """机关负责人审批暂缓（分期）缴纳申请。"""
    from cases import services

    def do():
        case = _case(ref)
        return services.decide_plan(case, services.get_plan(case, plan_id), approve=approve, note=note,
                                    actor=_user(username))

    result = _run(do)
    click.echo(f"申请{result.id}：{result.status_label}")


@cases_cli.command("statement")
@click.argument("ref")
@click.option("--statement", required=True, help="当事人陈述、申辩的内容")
@click.option("--adopted/--not-adopted", required=True, help="是否采纳")
@click.option("--handling", required=True, help="复核意见及理由（行政强制法第三十六条）")
@click.option("--on", "stated_on", default=None, help="陈述申辩日期 YYYY-MM-DD（默认今天）")
@click.option("--as", "username", required=True)
def statement(ref, statement, adopted, handling, stated_on, username):
    """记录当事人对催告的陈述、申辩及复核意见（行政强制法第三十六条）。"""
    from cases import services
    from cases.execution_schemas import StatementInSchema

    def do():
        case = _case(ref)
        data = StatementInSchema().load({"statement": statement, "adopted": adopted, "handling": handling,
                                         "stated_on": stated_on})
        return services.record_reminder_statement(case, data, actor=_user(username))

    act = _run(do)
    click.echo(f"已记录陈述申辩（{'采纳' if act.data['adopted'] else '不予采纳'}）")


@cases_cli.command("execution")
@click.argument("ref")
def show_execution(ref):
    """执行情况：罚款、加处罚款（逐日计算）、合计应缴、缴纳期限、缴款和执行记录。"""
    from cases.queries import execution_state

    case = _case(ref)
    st = execution_state(case)
    click.echo(f"{case.number} {case.status_label}  截至{st['as_of']}：罚款{st['fine']}元（已缴{st['fine_paid']}），"
               f"加处罚款{st['surcharge']}元{'（已达上限）' if st['capped'] else ''}，合计应缴{st['outstanding']}元")
    for r in st["schedule"]:
        click.echo(f"  应于{r['due_on']}前缴纳{r['amount']}元")
    for p in st["payments"]:
        click.echo(f"  {p.paid_on} 缴款{p.amount}元（罚款{p.to_fine}，加处罚款{p.to_surcharge}）")
    for a in st["acts"]:
        click.echo(f"  {a.on} {a.label} {a.reason}")
    if st["court_window"]:
        click.echo(f"  申请法院强制执行期间：{st['court_window']['first']}至{st['court_window']['last']}")


def init_app(app):
    """Commands are on the cases CLI group (registered by cases.cli)."""
