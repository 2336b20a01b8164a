"""Cases: the power list (权责清单), cases, parties, officers on a case, step records, documents,
deadlines and the event history. Statuses change only through `cases.services.apply_action`."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow

TZ = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)


class Procedure(str, enum.Enum):
    ordinary = "ordinary"  #: 普通程序
    summary = "summary"  #: 简易程序（当场处罚）


PROCEDURE_LABELS = {Procedure.ordinary: "普通程序", Procedure.summary: "简易程序"}


class CaseStatus(str, enum.Enum):
    draft = "draft"  #: 登记中: being prepared, nothing filed yet
    pending_filing = "pending_filing"  #: 待批准立案: submitted to the head
    not_filed = "not_filed"  #: 不予立案 (terminal)
    investigating = "investigating"  #: 调查取证
    investigated = "investigated"  #: 调查终结: report and draft decision ready
    notified = "notified"  #: 已事先告知: defence window running
    hearing = "hearing"  #: 听证中: requested, noticed or being held
    heard = "heard"  #: 听证结束
    decided = "decided"  #: 已作出决定
    served = "served"  #: 已送达
    reminded = "reminded"  #: 已催告 (AEL Art 35)
    enforcement_applied = "enforcement_applied"  #: 已申请人民法院强制执行 (AEL Art 53)
    execution_suspended = "execution_suspended"  #: 中止执行 (AEL Art 39)
    execution_terminated = "execution_terminated"  #: 终结执行 (AEL Art 40)
    executed = "executed"  #: 已执行
    closed = "closed"  #: 已结案
    archived = "archived"  #: 已归档
    terminated = "terminated"  #: 已终止（撤销立案、不予处罚）


STATUS_LABELS = {
    CaseStatus.draft: "登记中", CaseStatus.pending_filing: "待批准立案", CaseStatus.not_filed: "不予立案",
    CaseStatus.investigating: "调查取证", CaseStatus.investigated: "调查终结", CaseStatus.notified: "已事先告知",
    CaseStatus.hearing: "听证中", CaseStatus.heard: "听证结束", CaseStatus.decided: "已作出决定",
    CaseStatus.served: "已送达", CaseStatus.reminded: "已催告", CaseStatus.enforcement_applied: "已申请强制执行",
    CaseStatus.execution_suspended: "中止执行", CaseStatus.execution_terminated: "终结执行",
    CaseStatus.executed: "已执行", CaseStatus.closed: "已结案",
    CaseStatus.archived: "已归档", CaseStatus.terminated: "已终止",
}


class StepKind(str, enum.Enum):
    inspection = "inspection"  #: 现场检查（勘验）
    inquiry = "inquiry"  #: 询问
    sampling = "sampling"  #: 抽样取证
    evidence_preservation = "evidence_preservation"  #: 先行登记保存证据
    seizure = "seizure"  #: 查封、扣押
    forced_demolition = "forced_demolition"  #: 强制拆除
    hearing = "hearing"  #: 听证
    discussion = "discussion"  #: 集体讨论
    service = "service"  #: 送达
    other = "other"  #: 其他


STEP_LABELS = {
    StepKind.inspection: "现场检查（勘验）", StepKind.inquiry: "询问", StepKind.sampling: "抽样取证",
    StepKind.evidence_preservation: "先行登记保存证据", StepKind.seizure: "查封、扣押",
    StepKind.forced_demolition: "强制拆除", StepKind.hearing: "听证", StepKind.discussion: "集体讨论",
    StepKind.service: "送达", StepKind.other: "其他",
}

#: Officer acts that need two officers passing the certificate rules and shown certificates (SPEC §5).
OFFICER_ACTS = frozenset({StepKind.inspection, StepKind.inquiry, StepKind.sampling,
                          StepKind.evidence_preservation, StepKind.seizure, StepKind.forced_demolition,
                          StepKind.service})
#: Audio/video always and continuously (SPEC §4.2, G118).
AV_ALWAYS = frozenset({StepKind.seizure, StepKind.forced_demolition})
#: Audio/video required by default, or a written justification (SPEC §4.2).
AV_DEFAULT = frozenset({StepKind.inspection, StepKind.evidence_preservation, StepKind.hearing})
#: Service methods that need audio/video (留置送达, 公告送达).
AV_SERVICE_METHODS = frozenset({"leaving", "announcement"})

SERVICE_METHODS = {"direct": "直接送达", "leaving": "留置送达", "mail": "邮寄送达",
                   "electronic": "电子送达", "announcement": "公告送达", "on_spot": "当场交付"}

PENALTY_KINDS = {
    "warning": "警告", "fine": "罚款", "confiscation": "没收违法所得、没收非法财物",
    "suspend_licence": "暂扣许可证件", "revoke_licence": "吊销许可证件", "lower_qualification": "降低资质等级",
    "limit_production": "限制开展生产经营活动", "suspend_business": "责令停产停业", "close": "责令关闭",
    "restrict_employment": "限制从业", "detention": "行政拘留",
}
#: What a decision decides (APL Art 57): a penalty, no penalty (with its ground), no penalty because the
#: facts are not established, or the transfer of a suspected crime to the judicial organs.
DECISION_KINDS = {"penalty": "给予行政处罚", "no_penalty": "不予行政处罚",
                  "not_established": "违法事实不能成立，不得给予行政处罚", "transfer": "移送司法机关"}
#: Grounds of 不予行政处罚 (APL Art 30-33), each with its article.
NO_PENALTY_GROUNDS = {
    "minor_under_14": "不满十四周岁的未成年人有违法行为（行政处罚法第三十条）",
    "mental_incapacity": "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为（行政处罚法第三十一条）",
    "minor_corrected": "违法行为轻微并及时改正，没有造成危害后果（行政处罚法第三十三条第一款）",
    "first_minor": "初次违法且危害后果轻微并及时改正（行政处罚法第三十三条第一款）",
    "no_fault": "当事人有证据足以证明没有主观过错（行政处罚法第三十三条第二款）",
}
#: Discretion factors recorded per case (APL Art 32; 裁量基准): 减轻 goes below the matter's tier.
DISCRETION_KINDS = {"lighter": "从轻", "mitigated": "减轻", "heavier": "从重"}

#: Penalties that give a hearing right regardless of amount, and make a decision major (SPEC §6, §6.1).
SERIOUS_PENALTIES = frozenset({"revoke_licence", "suspend_licence", "suspend_business", "close",
                               "lower_qualification", "limit_production", "restrict_employment"})


class Matter(db.Model):
    """One line of an agency's power list (执法事项). Its content lives in versions."""

    __tablename__ = "matters"
    __table_args__ = (sa.UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    agency = relationship("Agency")
    versions: Mapped[list[MatterVersion]] = relationship(back_populates="matter",
                                                         order_by="MatterVersion.version")

    @property
    def current(self) -> MatterVersion | None:
        published = [v for v in self.versions if v.published_on is not None]
        return published[-1] if published else None


class MatterVersion(db.Model):
    """A version of a matter. Published versions are immutable; a case cites the version it was filed under."""

    __tablename__ = "matter_versions"
    __table_args__ = (sa.UniqueConstraint("matter_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(sa.ForeignKey("matters.id"), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(40))
    legal_basis: Mapped[str] = mapped_column(sa.Text)  #: 违法依据: law and article
    penalty_basis: Mapped[str] = mapped_column(sa.Text)  #: 处罚依据
    #: 裁量基准: [{"name": "一般", "min": 0, "max": 5000, "penalties": ["fine"], "description": "..."}]
    tiers: Mapped[list] = mapped_column(sa.JSON, default=list)
    procedures: Mapped[list] = mapped_column(sa.JSON, default=list)  #: ["ordinary", "summary"]
    av_steps: Mapped[list] = mapped_column(sa.JSON, default=list)  #: step kinds needing audio/video
    #: 重大执法决定标准: {"fine_at_least": 50000, "penalties": ["revoke_licence"], "note": "..."}
    major_criteria: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Whether harm to life, health or financial safety extends the limitation to 5 years is a case fact.
    published_on: Mapped[date | None] = mapped_column(sa.Date)  #: 事前公开日期
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    matter: Mapped[Matter] = relationship(back_populates="versions")


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(60), unique=True)  #: assigned at filing
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    matter_version_id: Mapped[int] = mapped_column(sa.ForeignKey("matter_versions.id"), index=True)
    procedure: Mapped[str] = mapped_column(sa.String(20), default=Procedure.ordinary.value)
    status: Mapped[str] = mapped_column(sa.String(30), default=CaseStatus.draft.value, index=True)
    title: Mapped[str] = mapped_column(sa.String(200))  #: 案由
    summary: Mapped[str] = mapped_column(sa.Text, default="")  #: 案情摘要 / 案件来源
    source: Mapped[str] = mapped_column(sa.String(40), default="inspection")  #: 案件来源
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    area_code: Mapped[str] = mapped_column(sa.String(6))  #: where the violation happened
    violation_on: Mapped[date | None] = mapped_column(sa.Date)  #: 违法行为发生（终了）日
    #: Harm to life, health or financial safety: limitation 5 years instead of 2 (APL Art 36).
    harms_safety: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: 发现日: the limitation period runs from the violation to this day, not to filing (APL Art 36).
    discovered_on: Mapped[date | None] = mapped_column(sa.Date)
    is_complex: Mapped[bool] = mapped_column(sa.Boolean, default=False)  #: needs collective discussion
    marked_major: Mapped[bool] = mapped_column(sa.Boolean, default=False)  #: marked major by the head
    filed_on: Mapped[date | None] = mapped_column(sa.Date)  #: 立案日期
    decision_due: Mapped[date | None] = mapped_column(sa.Date)
    extension_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: Draft decision prepared at the end of the investigation; reviews bind to its hash.
    draft: Mapped[dict | None] = mapped_column(sa.JSON)
    draft_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    notice_served_on: Mapped[date | None] = mapped_column(sa.Date)
    #: The decision content the party was told of (事先告知的拟处罚内容): facts, basis, penalties, amounts.
    #: A decision heavier than this, or on other facts or basis, needs a new notice (APL Art 44, 45, 62).
    noticed: Mapped[dict | None] = mapped_column(sa.JSON)
    notice_count: Mapped[int | None] = mapped_column(sa.Integer, default=0)
    #: How the (latest) advance notice was served, and the day that service takes effect: 公告送达 30 days
    #: after the announcement (民事诉讼法 Art 95). The defence and hearing-request windows run from it.
    notice_method: Mapped[str | None] = mapped_column(sa.String(20))
    notice_effective_on: Mapped[date | None] = mapped_column(sa.Date)
    defence_waived: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    hearing_requested_on: Mapped[date | None] = mapped_column(sa.Date)
    hearing_on: Mapped[date | None] = mapped_column(sa.Date)
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    decision_number: Mapped[str | None] = mapped_column(sa.String(60))
    fine_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    penalties: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: penalty / no_penalty (不予行政处罚) / not_established (不得给予行政处罚) / transfer (移送司法机关)
    decision_kind: Mapped[str | None] = mapped_column(sa.String(20))
    gains_amount: Mapped[Decimal | None] = mapped_column(MONEY)  #: 没收违法所得 (APL Art 28, 63)
    property_value: Mapped[Decimal | None] = mapped_column(MONEY)  #: 没收非法财物的价值 (APL Art 63)
    #: What the act of deciding recorded beyond the draft: for an on-the-spot decision (APL Art 52)
    #: {"place", "certificates": [{"officer_id", "name", "certificate_number", "certificate_shown"}]};
    #: for a transfer to the judicial organs {"transfer": {"organ", "received_on", "receipt_number"}}.
    decision_record: Mapped[dict | None] = mapped_column(sa.JSON)
    summary_filed_on: Mapped[date | None] = mapped_column(sa.Date)  #: 当场处罚决定备案日 (APL Art 52)
    correction_checked_on: Mapped[date | None] = mapped_column(sa.Date)  #: 责令改正的复查日 (APL Art 28)
    correction_result: Mapped[str | None] = mapped_column(sa.Text)
    served_on: Mapped[date | None] = mapped_column(sa.Date)
    service_method: Mapped[str | None] = mapped_column(sa.String(20))
    #: The day service takes effect: 公告送达 30 days after the announcement (民事诉讼法 Art 95); the
    #: served day otherwise. Later periods (payment, remedies) run from it.
    service_effective_on: Mapped[date | None] = mapped_column(sa.Date)
    payment_due: Mapped[date | None] = mapped_column(sa.Date)
    paid_on: Mapped[date | None] = mapped_column(sa.Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    surcharge_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    executed_on: Mapped[date | None] = mapped_column(sa.Date)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    archived_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: 受委托组织 that handles the case in the agency's name (APL Art 20); the case carries both names.
    entrusted_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entrusted_organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZ, default=utcnow, onupdate=utcnow)

    agency = relationship("Agency")
    entrusted_org = relationship("EntrustedOrganisation")
    matter_version: Mapped[MatterVersion] = relationship()
    created_by = relationship("User")
    parties: Mapped[list[CaseParty]] = relationship(back_populates="case", order_by="CaseParty.id")
    officers: Mapped[list[CaseOfficer]] = relationship(back_populates="case", order_by="CaseOfficer.id")
    steps: Mapped[list[CaseStep]] = relationship(back_populates="case", order_by="CaseStep.id")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    documents: Mapped[list[CaseDocument]] = relationship(back_populates="case", order_by="CaseDocument.id")
    deadlines: Mapped[list[CaseDeadline]] = relationship(back_populates="case", order_by="CaseDeadline.due_on")

    @property
    def state(self) -> CaseStatus:
        return CaseStatus(self.status)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.state]

    @property
    def notice_start_on(self) -> date | None:
        """The day the defence and hearing-request windows start: the advance notice's effective service."""
        return self.notice_effective_on or self.notice_served_on

    @property
    def category(self) -> str:
        return self.matter_version.category

    @property
    def agency_display(self) -> str:
        """The agency's name, with the entrusted organisation's when one handles the case (APL Art 20)."""
        if self.entrusted_org is None:
            return self.agency.name
        return f"{self.agency.name}（受委托组织：{self.entrusted_org.name}）"


class CaseParty(db.Model):
    """当事人. Personal data: never on a public page except through publicity's redaction."""

    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  #: "person" or "org"
    name: Mapped[str] = mapped_column(sa.String(120))
    id_number: Mapped[str | None] = mapped_column(sa.String(18))  #: person: 居民身份证号码
    credit_code: Mapped[str | None] = mapped_column(sa.String(18))  #: org: 统一社会信用代码
    legal_representative: Mapped[str | None] = mapped_column(sa.String(64))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    #: Consent to electronic service (SPEC §6: electronic service only with signed consent).
    e_service_consent: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    e_service_address: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="parties")


class CaseOfficer(db.Model):
    __tablename__ = "case_officers"
    __table_args__ = (sa.UniqueConstraint("case_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="handler")  #: "lead" or "handler"
    assigned_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="officers")
    officer = relationship("Officer")


class CaseStep(db.Model):
    """执法环节记录: one inspection, inquiry, seizure, hearing, service... (SPEC §4.1)."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    started_at: Mapped[datetime] = mapped_column(TZ)
    ended_at: Mapped[datetime | None] = mapped_column(TZ)
    place: Mapped[str] = mapped_column(sa.String(200))
    target: Mapped[str] = mapped_column(sa.String(200), default="")  #: person or object examined
    content: Mapped[str] = mapped_column(sa.Text)
    #: [{"officer_id": 1, "name": "王强", "certificate_number": "...", "certificate_shown": true}]
    officers: Mapped[list] = mapped_column(sa.JSON, default=list)
    signature: Mapped[str] = mapped_column(sa.String(20), default="signed")  #: signed / refused / absent
    refusal_note: Mapped[str] = mapped_column(sa.Text, default="")
    extra: Mapped[dict] = mapped_column(sa.JSON, default=dict)  #: kind-specific: service method, seized items
    needs_av: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    av_justification: Mapped[str | None] = mapped_column(sa.Text)
    av_justification_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(TZ)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="steps")

    @property
    def label(self) -> str:
        return STEP_LABELS[StepKind(self.kind)]


class CaseEvent(db.Model):
    """Every state change and record of a case, with actor and time; nothing is deleted (SPEC §4.1)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[str | None] = mapped_column(sa.String(30))
    to_status: Mapped[str | None] = mapped_column(sa.String(30))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User")


class CaseDocument(db.Model):
    """A generated PDF (执法文书); its bytes are in the object store and its hash in the ledger."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    number: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(120))
    storage_key: Mapped[str] = mapped_column(sa.String(300))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    step_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_steps.id"))
    issued_on: Mapped[date | None] = mapped_column(sa.Date)  #: the document's legal date (文书日期)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZ, default=utcnow)
    ledger_seq: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: What this document told its reader when issued, where the case record keeps only the latest (an
    #: advance notice: the intended penalty and its windows); the case file re-renders from it.
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)

    case: Mapped[Case] = relationship(back_populates="documents")


class CaseDeadline(db.Model):
    """A legal deadline computed once (SPEC §9) and met (or not) later; the basis of 超期预警."""

    __tablename__ = "case_deadlines"
    __table_args__ = (sa.UniqueConstraint("case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(80))
    basis: Mapped[str] = mapped_column(sa.String(200))  #: the rule, e.g. 行政处罚法第六十条
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    met_on: Mapped[date | None] = mapped_column(sa.Date)
    #: How due_on was computed, so that a calendar import can recompute it (SPEC §16): the period's start
    #: and its rule (cases.deadlines.RULES), e.g. "wd:5:party". None: a fixed date, never recomputed.
    start_on: Mapped[date | None] = mapped_column(sa.Date)
    rule: Mapped[str | None] = mapped_column(sa.String(40))

    case: Mapped[Case] = relationship(back_populates="deadlines")


class DocumentCounter(db.Model):
    """Per agency, kind and year serial numbers for case and document numbers (locked on use)."""

    __tablename__ = "document_counters"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    last: Mapped[int] = mapped_column(sa.Integer, default=0)
