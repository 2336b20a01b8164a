"""Issue 13 "Done means": the case-file PDFs of the new decision documents, issued through the services as a
case is decided, read back with pdftotext and checked for every field the law requires of them:

- 不予行政处罚决定书 (APL Art 30-33, 57): party, facts and evidence, the violated provision, the ground with its
  article, the order to correct, remedies with their periods, agency, number, date; and 不得给予行政处罚
  (facts not established, APL Art 57 (3));
- 涉嫌犯罪案件移送书 (APL Art 27, 57 (4); 国务院《行政执法机关移送涉嫌犯罪案件的规定》): the receiving organ, the
  case and party, the facts, the materials transferred, the receipt (number and date), not published;
- 当场行政处罚决定书 (APL Art 52, 55): party, time and place, facts, basis, penalty, how to pay and the 3% rule,
  remedies, the certificates shown (names and numbers), the officers' signatures, the filing note.
"""
import pytest

from cases import services
from tests.cases.conftest import DEFAULT_DRAFT, T, officer_user
from tests.cases.test_procedure_details import document_text

pytestmark = pytest.mark.usefixtures("app_ctx")

REMEDIES = ("收到本决定书之日起60日内", "临江市人民政府申请行政复议", "6个月内", "临江市人民法院提起行政诉讼")


def decided(case_at, head_of, draft, data=None):
    case = case_at("investigating")
    officer = officer_user(case)
    services.save_draft(case, draft, actor=officer)
    services.apply_action(case, "close_investigation", actor=officer, on=T.investigated)
    services.apply_action(case, "decide", actor=head_of(case.agency_id), on=T.decided, data=data or {})
    return case


def common_fields(case, text):
    assert case.agency.name in text and case.decision_number in text
    assert "张三" in text and "当事人占道经营" in text
    assert "2025年9月30日" in text  # the decision's date


def test_no_penalty_decision_pdf_carries_its_mandatory_fields(case_at, head_of, tmp_path):
    draft = {**DEFAULT_DRAFT, "decision_kind": "no_penalty", "penalties": [], "fine": None, "tier": None,
             "no_penalty_ground": "first_minor", "correction": "立即清理占道物品",
             "correction_by": "2025-10-10"}
    case = decided(case_at, head_of, draft)
    text = document_text(case, "no_penalty_decision", tmp_path)
    assert "不予行政处罚决定书" in text and "不罚〔2025〕" in case.decision_number
    common_fields(case, text)
    assert "当事人于2025年9月1日在临江市建国街占道经营" in text  # facts
    assert "现场检查笔录、询问笔录、现场照片3张" in text  # evidence
    assert "违反了《城市市容和环境卫生管理条例》第三十六条的规定" in text  # the provision violated
    assert "初次违法且危害后果轻微并及时改正" in text  # the ground (APL Art 33)
    assert "第五十七条第一款第（二）项" in text and "决定对你不予行政处罚" in text
    assert "责令你于2025年10月10日前改正违法行为：立即清理占道物品" in text  # APL Art 28
    assert "本机关已对你进行教育" in text  # APL Art 33 (3)
    for item in REMEDIES:
        assert item in text, item
    assert "本决定将依法向社会公开" in text
    assert "罚款" not in text.split("二、决定")[1].split("三、救济途径")[0]  # no penalty in the decision


def test_facts_not_established_decision_pdf(case_at, head_of, tmp_path):
    draft = {**DEFAULT_DRAFT, "decision_kind": "not_established", "penalties": [], "fine": None, "tier": None,
             "reasoning": "现有证据不能证明摊位系当事人所设"}
    case = decided(case_at, head_of, draft)
    text = document_text(case, "no_penalty_decision", tmp_path)
    common_fields(case, text)
    assert "现有证据不能证明摊位系当事人所设" in text and "被调查的违法事实不能成立" in text
    assert "第五十七条第一款第（三）项" in text and "决定对你不得给予行政处罚" in text
    for item in REMEDIES:
        assert item in text, item
    assert "本决定将依法向社会公开" not in text


def test_transfer_letter_pdf_carries_its_mandatory_fields(case_at, head_of, tmp_path):
    draft = {**DEFAULT_DRAFT, "decision_kind": "transfer", "penalties": [], "fine": None, "tier": None,
             "transfer_organ": "临江市公安局"}
    case = decided(case_at, head_of, draft,
                   data={"received_on": "2025-09-30", "receipt_number": "临公（经）受字〔2025〕88号"})
    text = document_text(case, "transfer_letter", tmp_path)
    assert "涉嫌犯罪案件移送书" in text and "移〔2025〕" in case.decision_number
    common_fields(case, text)
    assert "临江市公安局：" in text  # addressed to the receiving organ
    assert "第二十七条、第五十七条第一款第（四）项" in text and "行政执法机关移送涉嫌犯罪案件的规定" in text
    assert "当事人于2025年9月1日在临江市建国街占道经营" in text  # the facts
    assert "随案移送的证据材料" in text and "现场检查笔录、询问笔录、现场照片3张" in text
    assert "接收机关：临江市公安局" in text and "回执编号：临公（经）受字〔2025〕88号" in text
    assert "接收日期：2025年9月30日" in text
    assert "依法不予公开" in text


def test_on_the_spot_decision_pdf_ticks_the_certificates_and_carries_its_fields(make_case, tmp_path):
    case = make_case(procedure="summary", on=T.created)
    officer = officer_user(case)
    services.save_draft(case, {**DEFAULT_DRAFT, "tier": "轻微", "penalties": ["warning", "fine"], "fine": "100"},
                        actor=officer)
    services.apply_action(case, "decide_on_spot", actor=officer, on=T.created,
                          data={"place": "临江市建国街与新市街交叉口"})
    text = document_text(case, "on_spot_decision", tmp_path)
    assert "当场行政处罚决定书" in text and "当罚〔2025〕" in case.decision_number
    assert case.agency.name in text and case.decision_number in text and "张三" in text
    assert "2025年9月15日" in text  # the date of the decision
    assert "临江市建国街与新市街交叉口" in text  # the place of the violation (APL Art 52)
    assert "当事人于2025年9月1日在临江市建国街占道经营" in text
    assert "《城市市容和环境卫生管理条例》第三十六条" in text and "第五十一条" in text
    assert "警告" in text and "罚款人民币壹佰元整（¥100.00）" in text
    assert "15日内缴纳罚款" in text and "每日按罚款数额的百分之三加处罚款" in text  # APL Art 67, 72
    for item in REMEDIES:
        assert item in text, item
    certificates = [(co.officer.name, r["certificate_number"])
                    for co, r in zip(case.officers, case.decision_record["certificates"])]
    names = "、".join(n for n, _ in certificates)
    numbers = "、".join(c for _, c in certificates)
    # Ticked: every officer showed the certificate, with its number (APL Art 55); nothing left unticked.
    assert f"执法人员{names}已向当事人出示执法证件，证件号码分别为{numbers}" in text
    assert "未出示执法证件" not in text and "□" not in text
    for name, number in certificates:
        assert f"{name}（执法证号：{number}）" in text  # the signature line
    assert "七个工作日内报所属行政机关备案" in text


def test_on_the_spot_decision_through_the_page_with_the_certificate_boxes_ticked(app, client, login_as, make_case,
                                                                                 tmp_path):
    from app.extensions import db
    from app.timeutil import today_china
    from cases.models import Case
    from tests.helpers import extract_csrf

    today = today_china()
    case = make_case(procedure="summary", violation_on=today, on=today)
    officer = officer_user(case)
    services.save_draft(case, {**DEFAULT_DRAFT, "tier": "轻微", "penalties": ["warning", "fine"], "fine": "100"},
                        actor=officer)
    case_id, officer_id = case.id, officer.id
    ids = [co.officer_id for co in case.officers]
    db.session.commit()
    login_as(client, officer_id)
    url = f"/cases/{case_id}/actions/decide_on_spot"

    def post(shown):
        token = extract_csrf(client.get(f"/cases/{case_id}").get_data(as_text=True))
        return client.post(url, data={"csrf_token": token, "place": "临江市新市街菜市场北门",
                                      "certificate_shown_ids": [str(i) for i in shown]})

    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "已向当事人出示执法证件的执法人员" in page  # one box per officer
    one_unticked = post(ids[:1])
    assert one_unticked.status_code == 409 and "未出示执法证件" in one_unticked.get_data(as_text=True)
    assert "第五十五条" in one_unticked.get_data(as_text=True)
    assert post(ids).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.status == "decided" and all(r["certificate_shown"] for r in case.decision_record["certificates"])
    text = document_text(case, "on_spot_decision", tmp_path)
    assert "已向当事人出示执法证件" in text and "未出示执法证件" not in text and "临江市新市街菜市场北门" in text
    assert case.decided_on == today
