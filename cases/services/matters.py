"""The power list (权责清单): matters, their versions and their pre-action publication (事前公开)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.errors import InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.ledger.services import append as ledger_append
from app.timeutil import today_china
from cases import permissions
from cases.models import Matter, MatterVersion, Procedure, StepKind
from cases.services.common import _actor_name


def _check_matter_fields(name, category, legal_basis, penalty_basis, tiers, procedures, av_steps):
    fields = {}
    if not (name or "").strip():
        fields["name"] = ["请填写事项名称"]
    if not (category or "").strip():
        fields["category"] = ["请填写执法类别"]
    if not (legal_basis or "").strip():
        fields["legal_basis"] = ["请填写违法依据（法律及条款）"]
    if not (penalty_basis or "").strip():
        fields["penalty_basis"] = ["请填写处罚依据"]
    bad = [p for p in procedures if p not in (Procedure.ordinary.value, Procedure.summary.value)]
    if not procedures or bad:
        fields["procedures"] = ["适用程序只能是普通程序（ordinary）或简易程序（summary）"]
    bad_steps = [s for s in av_steps if s not in StepKind.__members__]
    if bad_steps:
        fields["av_steps"] = [f"未知的执法环节：{'、'.join(bad_steps)}"]
    tier_errors = []
    names = set()
    for i, tier in enumerate(tiers or [], 1):
        try:
            lo, hi = Decimal(str(tier.get("min", 0))), Decimal(str(tier.get("max", 0)))
        except (InvalidOperation, AttributeError):
            tier_errors.append(f"第{i}档金额无效")
            continue
        if not tier.get("name"):
            tier_errors.append(f"第{i}档缺少名称")
        if lo < 0 or hi < lo:
            tier_errors.append(f"第{i}档“{tier.get('name')}”金额范围无效（{lo}—{hi}）")
        if tier.get("name") in names:
            tier_errors.append(f"裁量档次“{tier.get('name')}”重复")
        names.add(tier.get("name"))
    if not tiers:
        tier_errors.append("请至少填写一个裁量档次")
    if tier_errors:
        fields["tiers"] = tier_errors
    if fields:
        raise InvalidInput("执法事项信息有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})


def create_matter(*, agency, code, name, category, legal_basis, penalty_basis, tiers, procedures,
                  av_steps=(), major_criteria=None, actor=None) -> MatterVersion:
    if actor is not None and not permissions.can_manage_power_list(actor, agency.id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以维护权责清单")
    code = (code or "").strip()
    if not code:
        raise InvalidInput("请填写事项编码", details={"fields": {"code": ["请填写事项编码"]}})
    if db.session.scalar(select(Matter).where(Matter.agency_id == agency.id, Matter.code == code)):
        raise InvalidInput(f"事项编码{code}已存在", details={"fields": {"code": [f"事项编码{code}已存在"]}})
    procedures, av_steps = list(procedures), list(av_steps)
    _check_matter_fields(name, category, legal_basis, penalty_basis, tiers, procedures, av_steps)
    if category not in (agency.categories or []):
        raise InvalidInput(f"执法类别“{category}”不在{agency.name}的职权范围内",
                           details={"fields": {"category": ["不在本机关职权范围内"]}})
    matter = Matter(agency_id=agency.id, code=code)
    db.session.add(matter)
    version = MatterVersion(matter=matter, version=1, name=name.strip(), category=category,
                            legal_basis=legal_basis, penalty_basis=penalty_basis, tiers=list(tiers),
                            procedures=procedures, av_steps=av_steps, major_criteria=dict(major_criteria or {}))
    db.session.add(version)
    db.session.flush()
    return version


def revise_matter(matter, *, actor=None, **changes) -> MatterVersion:
    """A new version; published versions never change (cases cite them)."""
    if actor is not None and not permissions.can_manage_power_list(actor, matter.agency_id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以维护权责清单")
    base = matter.versions[-1]
    if base.published_on is None:
        target = base  # an unpublished draft version may still be edited
    else:
        target = MatterVersion(matter=matter, version=base.version + 1)
        for field in ("name", "category", "legal_basis", "penalty_basis", "tiers", "procedures", "av_steps",
                      "major_criteria"):
            setattr(target, field, getattr(base, field))
        db.session.add(target)
    for key, value in changes.items():
        if key not in ("name", "category", "legal_basis", "penalty_basis", "tiers", "procedures", "av_steps",
                       "major_criteria"):
            raise InvalidInput(f"未知字段：{key}")
        setattr(target, key, value)
    _check_matter_fields(target.name, target.category, target.legal_basis, target.penalty_basis,
                         target.tiers, list(target.procedures), list(target.av_steps))
    db.session.flush()
    return target


def publish_matter(version, *, on: date | None = None, actor=None) -> MatterVersion:
    """事前公开: the version becomes public on `on` and immutable."""
    if actor is not None and not permissions.can_manage_power_list(actor, version.matter.agency_id):
        raise PermissionDenied("只有本机关负责人或系统管理员可以公开权责清单")
    if version.published_on is not None:
        raise InvalidTransition(f"该版本已于{version.published_on.isoformat()}公开，不能重复公开")
    # The pre-action publicity gate trusts this date, so only an administrator (or the CLI, with no
    # actor, recording a list that was already public) may give one in the past.
    from app.auth.models import Role

    if on is not None and on < today_china() and actor is not None and not actor.has_role(Role.admin):
        raise InvalidInput("公开日期不能早于今天（补录历史公开记录须由系统管理员操作）",
                           details={"fields": {"published_on": ["公开日期不能早于今天"]}})
    version.published_on = on or today_china()
    db.session.flush()
    ledger_append("matter.published", f"matter:{version.matter_id}", {
        "matter_id": version.matter_id, "code": version.matter.code, "version": version.version,
        "name": version.name, "category": version.category, "legal_basis": version.legal_basis,
        "penalty_basis": version.penalty_basis, "tiers": version.tiers, "procedures": version.procedures,
        "av_steps": version.av_steps, "major_criteria": version.major_criteria,
        "published_on": version.published_on, "actor": _actor_name(actor)})
    return version
