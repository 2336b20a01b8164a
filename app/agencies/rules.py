"""Whether an entrusted organisation may act on a date, on a matter (APL Art 20–21). Pure; each refusal
names its source."""
from __future__ import annotations

from datetime import date

ART20 = "行政处罚法第二十条"


def entrustment_problems(org, on: date, matter_code: str | None = None) -> list[str]:
    """[] when `org` may act on `on` (and on `matter_code`, when given); else every reason in Chinese."""
    problems = []
    name = org.name
    if org.published_on is None or org.published_on > on:
        problems.append(f"{name}的委托书未在实施前向社会公布（{ART20}第二款）")
    if on < org.starts_on:
        problems.append(f"{name}的委托期限自{org.starts_on.isoformat()}起，尚未开始（{ART20}第三款）")
    if on > org.ends_on:
        problems.append(f"{name}的委托已于{org.ends_on.isoformat()}到期，不得再以委托机关名义实施行政处罚"
                        f"（{ART20}第三款）")
    if org.terminated_on is not None and on >= org.terminated_on:
        problems.append(f"{name}的委托已于{org.terminated_on.isoformat()}解除（{org.termination_reason}）")
    if matter_code is not None and matter_code not in (org.matter_codes or []):
        problems.append(f"执法事项{matter_code}不在{name}的委托事项内，受委托组织只能在委托范围内实施（{ART20}第三款）")
    return problems


def agency_problems(agency, on: date) -> list[str]:
    """[] when `agency` may act on `on`: its information (name, area, categories, basis) was published before
    action (事前公开, G118; APL Art 39; SPEC §3). `published_on` is the day of the last publication, the
    same reading as an entrustment's."""
    if agency.published_on is None:
        return [f"执法主体{agency.name}的主体信息未向社会公开，不得实施行政执法（行政处罚法第三十九条；国办发〔2018〕118号）"]
    if agency.published_on > on:
        return [f"执法主体{agency.name}的主体信息于{agency.published_on.isoformat()}公开，{on.isoformat()}尚未公开，"
                "不得实施行政执法（行政处罚法第三十九条；国办发〔2018〕118号）"]
    return []


def display_name(agency_name: str, org) -> str:
    """Both names, as the case and its documents show them (the act is the entrusting agency's)."""
    if org is None:
        return agency_name
    return f"{agency_name}（受委托组织：{org.name}）"
