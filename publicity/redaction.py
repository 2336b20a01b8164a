"""The redaction engine (SPEC §8): what must never reach a public page, found and masked in free text.

Pure: no database, no Flask. `redact(text, subject, options)` returns the masked text and the segments of a
preview (which parts were masked and why); `residual_patterns(text)` lists what is still there of the three
patterns that block publication (ID number, phone number, bank account).

Found by pattern: ID numbers (18 characters with a valid GB 11643 check character, and any 17 digits + X or
15 digits), mobile and landline numbers, e-mail addresses, bank-account-like digit runs (16–19 digits,
also written in groups, and any number after 账号/卡号), dates of birth (出生日期…, …出生, 生于…), addresses
after 住址/家住/户籍地…, property certificate numbers (吉(2024)临江市不动产权第0001234号, 房权证…字第…号)
and licence plates. Found by knowing the case (`Subject`): the natural-person party's name (masked when
`Options.mask_party_name`, as 张** or 张某), other natural persons' names (always), natural persons'
addresses, and whatever the officer added by hand. `Subject.keep` lists what is public and must stay
(officers' names, the agency's phone number, organisations' credit codes).

Health, biometric and location data have no reliable pattern: the officer masks them in the preview by
adding the words to mask; the head approves the result.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.validators import (id_check_char, is_valid_credit_code, is_valid_id_number, mask_id_number,
                            mask_name)

LABELS = {
    "id_number": "身份证号码", "phone": "电话号码", "email": "电子邮箱", "bank_account": "银行账号",
    "birth_date": "出生日期", "address": "住址", "property_certificate": "不动产权证号", "plate": "车牌号码",
    "name": "自然人姓名", "term": "人工遮蔽内容",
}
#: Patterns that block publication while any remains (SPEC §8).
BLOCKING = ("id_number", "phone", "bank_account")


@dataclass(frozen=True)
class Subject:
    """What the engine knows about the case whose text it masks."""

    party_names: tuple[str, ...] = ()  #: natural-person parties (masked when Options.mask_party_name)
    person_names: tuple[str, ...] = ()  #: other natural persons: witnesses, legal representatives…
    addresses: tuple[str, ...] = ()  #: natural persons' addresses, masked after the county
    extra_terms: tuple[str, ...] = ()  #: the officer's additions, masked entirely
    keep: tuple[str, ...] = ()  #: public on purpose: officers' names, the agency's phone, credit codes


@dataclass(frozen=True)
class Options:
    mask_party_name: bool = True
    name_style: str = "stars"  #: "stars" (张**) or "mou" (张某)
    mask_plates: bool = True


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    replacement: str


@dataclass
class Redacted:
    text: str
    #: (text, kind or None): the preview marks the masked parts with their reason.
    segments: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {k for _, k in self.segments if k}


# --- patterns -------------------------------------------------------------------------------------------

_D = r"\d"  # str patterns: \d matches full-width digits too
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"

ID_RE = re.compile(_NOT_ALNUM_BEFORE + r"(\d{17}[\dXxＸｘ]|\d{15})" + _NOT_ALNUM_AFTER)
MOBILE_RE = re.compile(r"(?<!\d)(?:(?:\+|＋)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[\-－ ]?)[2-9]\d{6,7}(?:[\-－]\d{1,4})?(?!\d)")
PHONE_CONTEXT_RE = re.compile(r"(?:电话|手机|联系方式|联系电话|Tel|TEL)[：:\s]*(\d[\d\- ]{5,}\d)")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
BANK_RE = re.compile(_NOT_ALNUM_BEFORE + r"\d(?:[ \-]?\d){15,18}" + _NOT_ALNUM_AFTER)
BANK_CONTEXT_RE = re.compile(r"(?:账号|帐号|账户|帐户|卡号|银行卡)[：:\s]*(\d[\d\- ]{5,}\d)")
_DATE = r"\d{4}\s*[年.\-/]\s*\d{1,2}\s*(?:[月.\-/]\s*\d{1,2}\s*日?|月)"
BIRTH_RE = re.compile(
    rf"(?:出生日期|出生年月日?|生日)[：:\s]*({_DATE})|(?:生于|出生于)\s*({_DATE})|({_DATE})\s*(?:出生|生人|生(?=[，,。；;、\s）)]|$))")
ADDRESS_RE = re.compile(
    r"(?:家庭住址|现住址|住址|户籍地址|户籍所在地|户籍地|家住|现住|居住地|居住于|住所地|住所|住)[：:\s]*"
    r"([^，,。；;\s（）()、：:]{3,40}?(?:号楼|号院|号|室|组|村|屯|单元|户)"
    r"(?:[\d一二三四五六七八九十甲乙丙]+(?:号楼|单元|室|号|层|组|户))*)")
PROPERTY_RE = re.compile(
    r"[\u4e00-\u9fa5][(（]\d{4}[)）][\u4e00-\u9fa5]{1,12}不动产(?:权|证明)第(\d{5,10})号"
    r"|[\u4e00-\u9fa5]{0,6}房(?:屋所有)?权证[\u4e00-\u9fa5]{0,10}字第(\d{3,12})号")
#: A natural person named by role in the facts: 证人邢春来在场, 举报人：李某某称….
ROLE_NAME_RE = re.compile(r"(?:证人|见证人|目击者|目击证人|举报人|投诉人|被询问人|在场人|知情人)[：:\s]*"
                          r"([\u4e00-\u9fa5]{2,3}?)(?=[在称证说陈述指、，,。；;（(：:等和与及的到于已也]|$)")
PLATE_RE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
                      r"[A-HJ-NP-Z][·•]?[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])")


def _digits(s: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c.upper() for c in s
                   if c.isdigit() or c in "Xx Ｘｘ".strip())


def is_id_number_like(s: str) -> bool:
    """17 digits + X, 15 digits, or 18 digits whose last is the GB 11643 check character; but not an
    organisation's unified social credit code (public), unless it is also a valid ID number."""
    d = _digits(s)
    if len(d) == 15 and d.isdigit():
        return True
    if len(d) == 18 and d[:17].isdigit():
        if is_valid_credit_code(d) and not is_valid_id_number(d):
            return False
        return d[17] in "XＸ" or id_check_char(d[:17]) == d[17]
    return False


def _stars(s: str) -> str:
    return re.sub(r"[0-9０-９A-Za-z]", "*", s)


def _mask_digits(s: str, keep_start: int, keep_end: int) -> str:
    positions = [i for i, c in enumerate(s) if c.isdigit() or c in "Xx"]
    hide = set(positions[keep_start:len(positions) - keep_end if keep_end else None])
    return "".join("*" if i in hide else c for i, c in enumerate(s))


_ADMIN = re.compile(r"^((?:[^省市县区]{2,8}?(?:省|自治区))?(?:[^省市县区]{1,8}?(?:市|州|盟))?"
                    r"(?:[^省市县区]{1,8}?(?:县|区|旗))?)")


def mask_address(address: str) -> str:
    """吉林省临江市建国街1号 → 吉林省临江市****: the administrative divisions stay, the rest goes."""
    keep = _ADMIN.match(address).group(1)
    return keep + "****" if len(keep) < len(address) else address[:2] + "****"


def _term_spans(text, terms, kind, replace):
    for term in sorted({t for t in terms if t and len(t.strip()) >= 2}, key=len, reverse=True):
        start = text.find(term)
        while start != -1:
            yield Span(start, start + len(term), kind, replace(term))
            start = text.find(term, start + len(term))


def find_spans(text: str, subject: Subject | None = None, options: Options | None = None) -> list[Span]:
    """Every part of `text` to mask, non-overlapping, in order."""
    subject = subject or Subject()
    options = options or Options()
    found: list[tuple[int, Span]] = []  # (priority, span): lower priority number wins an overlap

    def add(priority, span):
        found.append((priority, span))

    for m in ID_RE.finditer(text):
        if is_id_number_like(m.group(1)):
            add(0, Span(m.start(1), m.end(1), "id_number", mask_id_number(_digits(m.group(1)))))
    for m in BANK_RE.finditer(text):
        if is_valid_credit_code(_digits(m.group())):
            continue
        add(1, Span(m.start(), m.end(), "bank_account", _mask_digits(m.group(), 0, 4)))
    for m in MOBILE_RE.finditer(text):
        keep = 5 if len(_digits(m.group())) == 13 else 3  # +86 138****5678
        add(1, Span(m.start(), m.end(), "phone", _mask_digits(m.group(), keep, 4)))
    for m in LANDLINE_RE.finditer(text):
        add(2, Span(m.start(), m.end(), "phone", _mask_digits(m.group(), 0, 4)))
    for m in PHONE_CONTEXT_RE.finditer(text):
        add(3, Span(m.start(1), m.end(1), "phone", _mask_digits(m.group(1), 0, 4)))
    for m in BANK_CONTEXT_RE.finditer(text):
        add(3, Span(m.start(1), m.end(1), "bank_account", _mask_digits(m.group(1), 0, 4)))
    for m in EMAIL_RE.finditer(text):
        local, _, domain = m.group().partition("@")
        add(1, Span(m.start(), m.end(), "email", local[:1] + "***@" + domain))
    for m in PROPERTY_RE.finditer(text):
        g = 1 if m.group(1) else 2
        add(1, Span(m.start(g), m.end(g), "property_certificate", "*" * len(m.group(g))))
    for m in BIRTH_RE.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i))
        add(2, Span(m.start(g), m.end(g), "birth_date", re.sub(r"\d", "*", m.group(g))))
    if options.mask_plates:
        for m in PLATE_RE.finditer(text):
            add(2, Span(m.start(), m.end(), "plate", m.group()[:2] + "*" * (len(m.group()) - 2)))
    for span in _term_spans(text, subject.addresses, "address", mask_address):
        add(0, span)
    for m in ADDRESS_RE.finditer(text):
        add(4, Span(m.start(1), m.end(1), "address", mask_address(m.group(1))))
    for m in ROLE_NAME_RE.finditer(text):
        add(3, Span(m.start(1), m.end(1), "name", mask_name(m.group(1), options.name_style)))
    names = tuple(subject.person_names) + (tuple(subject.party_names) if options.mask_party_name else ())
    for span in _term_spans(text, names, "name", lambda n: mask_name(n, options.name_style)):
        add(0, span)
    for span in _term_spans(text, subject.extra_terms, "term", lambda t: "*" * len(t)):
        add(0, span)

    keep = [(s.start, s.end) for s in _term_spans(text, subject.keep, "keep", lambda t: t)]

    def kept(span):
        return any(a <= span.start and span.end <= b for a, b in keep)

    chosen: list[Span] = []
    for _, span in sorted(found, key=lambda ps: (ps[0], ps[1].start, -(ps[1].end - ps[1].start))):
        if kept(span):
            continue
        if any(span.start < c.end and c.start < span.end for c in chosen):
            continue
        chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def redact(text: str, subject: Subject | None = None, options: Options | None = None) -> Redacted:
    text = text or ""
    segments: list[tuple[str, str | None]] = []
    pos = 0
    for span in find_spans(text, subject, options):
        if span.start > pos:
            segments.append((text[pos:span.start], None))
        segments.append((span.replacement, span.kind))
        pos = span.end
    if pos < len(text):
        segments.append((text[pos:], None))
    return Redacted("".join(s for s, _ in segments), segments)


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    excerpt: str  #: the pattern with its digits hidden, so that an error message leaks nothing

    def to_dict(self):
        return {"kind": self.kind, "label": self.label, "excerpt": self.excerpt}


def residual_patterns(text: str, allowed: tuple[str, ...] = ()) -> list[Finding]:
    """What remains in `text` of an ID number, phone number or bank account (publication is refused while
    any does). `allowed` lists public values that may stay (the agency's phone, organisations' codes)."""
    spans = find_spans(text or "", Subject(keep=tuple(allowed)), Options(mask_plates=False))
    out = []
    for span in spans:
        if span.kind in BLOCKING:
            raw = text[span.start:span.end]
            out.append(Finding(span.kind, LABELS[span.kind], _stars(raw[:3]) + "…" if len(raw) > 3 else "***"))
    return out


def describe(findings: list[Finding]) -> str:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.label] = counts.get(f.label, 0) + 1
    return "、".join(f"{label}{n}处" for label, n in counts.items())
