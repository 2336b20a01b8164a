"""The redaction engine (SPEC §8): what must never reach a public page, found and masked in free text.

Pure: no database, no Flask; the publication gate (publicity) and the staff-side mask of free text
(app.privacy.masking.mask_text, via `mask_numbers`) both use it. `redact(text, subject, options)` returns
the masked text and the segments of a preview (which parts were masked and why); `residual_patterns(text)`
lists what is still there of the three patterns that block publication (ID number, phone number, bank
account).

Found by pattern: ID numbers (18 characters with a valid GB 11643 check character, and any 17 digits + X or
15 digits), mobile and landline numbers, e-mail addresses, bank-account-like digit runs (16–19 digits,
also written in groups, and any number after 账号/卡号), dates of birth (出生日期…, …出生, 生于…), addresses
after 住址/家住/户籍地…, property certificate numbers (吉(2024)临江市不动产权第0001234号, 房权证…字第…号)
and licence plates. Found by knowing the case (`Subject`): the natural-person party's name (masked when
`Options.mask_party_name`, as 张** or 张某), other natural persons' names (always), natural persons'
addresses, and whatever the officer added by hand. `Subject.keep` lists what is public and must stay
(officers' names, the agency's phone number, organisations' credit codes).

Numbers are matched on one normalised view of the text (`normalise`): NFKC (full-width digits and
letters), any Unicode digit, and Chinese numerals (〇一二三四五六七八九, 零, 幺, 两, the financial 壹贰叁…
and the radio 洞/拐/勾) inside a run of seven or more digits, with every separator between digits removed
(spaces including U+3000, zero-width and other format characters, dashes of every kind, dots, slashes).
The masking and the publication gate share it, so what the gate does not see the mask cannot miss either,
and the other way round. Each normalised character remembers where it came from; a span found in the
normalised view masks the whole original stretch it came from.

Every step is linear in the length of the text: the patterns are anchored or bounded (an e-mail's local part
is at most 64 characters and must start a word), and overlapping spans are resolved with sorted intervals.

Health, biometric and location data have no reliable pattern: the officer masks them in the preview by
adding the words to mask; the head approves the result.
"""
from __future__ import annotations

import bisect
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
EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}"
                      r"(?:\.[A-Za-z0-9\-]{1,63}){1,8}(?![A-Za-z0-9\-])")
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


# --- the normalised view ----------------------------------------------------------------------------------

#: Chinese numerals as digits: the common ones, the financial (大写) ones, and the radio alphabet's.
ZH_DIGITS = {
    "〇": "0", "零": "0", "洞": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2", "兩": "2", "贰": "2",
    "貳": "2", "三": "3", "叁": "3", "參": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6",
    "陸": "6", "七": "7", "拐": "7", "柒": "7", "八": "8", "捌": "8", "九": "9", "勾": "9", "玖": "9",
}
#: Written between the digits of one number: dots, slashes and the like (besides every space, dash and
#: format character, which are found by their Unicode category).
_SEPARATOR_CHARS = frozenset(".．。·・•‧∙⋅/／\\＼_＿~～|｜'’\u2212\ufe63\u2043")
#: A run with fewer digits than this is no ID, phone or bank number (the shortest, a landline, has 7).
MIN_NUMBER_DIGITS = 7


def _is_separator(c: str) -> bool:
    if c in _SEPARATOR_CHARS or c.isspace():
        return True
    cat = unicodedata.category(c)
    return cat in ("Zs", "Zl", "Zp", "Cf", "Pd")


def _digit_of(c: str) -> str | None:
    d = unicodedata.digit(c, None)
    if d is not None:
        return str(d)
    return ZH_DIGITS.get(c)


@dataclass(frozen=True)
class Normalised:
    """`text` with numbers written plainly; character i of it came from original[starts[i]:ends[i]]."""

    text: str
    starts: list[int]
    ends: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def normalise(original: str) -> Normalised:
    """The one normalisation every number pattern runs on, for masking and for the publication gate alike.

    Outside numbers, each character is NFKC-normalised (full-width letters and brackets become ASCII). A run
    of digits — any Unicode digit, or a Chinese numeral — with only separators between them becomes plain
    ASCII digits without the separators when it holds at least MIN_NUMBER_DIGITS digits (so that 一 in a
    name or 2024-05-01 stays as it is); an X right after such a run (an ID number's check character) is kept.
    One pass, linear in the length of the text."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    n = len(original)
    i = 0
    while i < n:
        c = original[i]
        if _digit_of(c) is None:
            for piece in unicodedata.normalize("NFKC", c) or c:
                out.append(piece)
                starts.append(i)
                ends.append(i + 1)
            i += 1
            continue
        # A run: digits, and separators that have a digit after them.
        digits: list[tuple[str, int]] = []
        j = i
        last_end = i
        while j < n:
            d = _digit_of(original[j])
            if d is not None:
                digits.append((d, j))
                j += 1
                last_end = j
                continue
            k = j
            while k < n and _is_separator(original[k]):
                k += 1
            if k > j and k < n and _digit_of(original[k]) is not None:
                j = k
                continue
            # An ID number's check character, possibly behind a separator.
            if k < n and original[k] in "XxＸｘ" and (k + 1 >= n or not original[k + 1].isalnum()):
                digits.append(("X", k))
                last_end = k + 1
            break
        if len(digits) >= MIN_NUMBER_DIGITS:
            for d, pos in digits:
                out.append(d)
                starts.append(pos)
                ends.append(pos + 1)
            i = last_end
        else:
            # Too short to be a number that matters: the characters as they are (NFKC'd), Chinese numerals
            # untouched.
            end = digits[-1][1] + 1
            for pos in range(i, end):
                ch = original[pos]
                if ch in ZH_DIGITS:
                    out.append(ch)
                    starts.append(pos)
                    ends.append(pos + 1)
                    continue
                for piece in unicodedata.normalize("NFKC", ch) or ch:
                    out.append(piece)
                    starts.append(pos)
                    ends.append(pos + 1)
            i = end
    return Normalised("".join(out), starts, ends)


def plain(text: str) -> str:
    """The normalised text alone (tests, and whoever compares numbers written differently)."""
    return normalise(text).text


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


def _number_spans(view: Normalised):
    """(priority, Span) of the blocking patterns, found in the normalised view, in original coordinates."""
    t = view.text

    def span(start, end, kind, replacement):
        a, b = view.original_span(start, end)
        return Span(a, b, kind, replacement)

    for m in ID_RE.finditer(t):
        if is_id_number_like(m.group(1)):
            yield 0, span(m.start(1), m.end(1), "id_number", mask_id_number(_digits(m.group(1))))
    for m in BANK_RE.finditer(t):
        if is_valid_credit_code(_digits(m.group())):
            continue
        yield 1, span(m.start(), m.end(), "bank_account", _mask_digits(m.group(), 0, 4))
    for m in MOBILE_RE.finditer(t):
        keep = 5 if len(_digits(m.group())) == 13 else 3  # +86 138****5678
        yield 1, span(m.start(), m.end(), "phone", _mask_digits(m.group(), keep, 4))
    for m in LANDLINE_RE.finditer(t):
        yield 2, span(m.start(), m.end(), "phone", _mask_digits(m.group(), 0, 4))
    for m in PHONE_CONTEXT_RE.finditer(t):
        yield 3, span(m.start(1), m.end(1), "phone", _mask_digits(m.group(1), 0, 4))
    for m in BANK_CONTEXT_RE.finditer(t):
        yield 3, span(m.start(1), m.end(1), "bank_account", _mask_digits(m.group(1), 0, 4))


def _keep_intervals(text: str, view: Normalised, keep: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the public values stand, found as written and as normalised (an agency phone written
    0439-5212345 in the settings and 0439 521 2345 in the text is the same phone)."""
    out = [(s.start, s.end) for s in _term_spans(text, keep, "keep", lambda t: t)]
    plain_keep = tuple(plain(k) for k in keep if k)
    for s in _term_spans(view.text, plain_keep, "keep", lambda t: t):
        out.append(view.original_span(s.start, s.end))
    return _merge(out)


def _merge(intervals):
    merged: list[list[int]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


class _Intervals:
    """Disjoint chosen spans, sorted by start: overlap test and insertion by bisection."""

    def __init__(self):
        self.starts: list[int] = []
        self.spans: list[Span] = []

    def overlaps(self, span: Span) -> bool:
        i = bisect.bisect_left(self.starts, span.end)  # spans starting before span.end
        return i > 0 and self.spans[i - 1].end > span.start

    def add(self, span: Span):
        i = bisect.bisect_left(self.starts, span.start)
        self.starts.insert(i, span.start)
        self.spans.insert(i, span)


def find_spans(text: str, subject: Subject | None = None, options: Options | None = None) -> list[Span]:
    """Every part of `text` to mask, non-overlapping, in order."""
    subject = subject or Subject()
    options = options or Options()
    view = normalise(text)
    found: list[tuple[int, Span]] = list(_number_spans(view))  # (priority, span): lower number wins

    def add(priority, span):
        found.append((priority, span))

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

    keep = _keep_intervals(text, view, tuple(subject.keep))
    keep_starts = [a for a, _ in keep]

    def kept(span):
        i = bisect.bisect_right(keep_starts, span.start) - 1
        return i >= 0 and span.end <= keep[i][1]

    chosen = _Intervals()
    for _, span in sorted(found, key=lambda ps: (ps[0], ps[1].start, -(ps[1].end - ps[1].start))):
        if kept(span) or chosen.overlaps(span):
            continue
        chosen.add(span)
    return chosen.spans


def mask_numbers(text: str | None) -> str | None:
    """Only the blocking numbers (ID, phone, bank account) masked, in every written form the gate knows
    (Chinese numerals, full-width digits, separators); names, addresses and the rest left as they are. The
    staff side's mask of free text such as a draft's facts (PIPL Art 6: minimum necessary)."""
    if not text or not isinstance(text, str):
        return text
    chosen = _Intervals()
    for _, span in sorted(_number_spans(normalise(text)),
                          key=lambda ps: (ps[0], ps[1].start, -(ps[1].end - ps[1].start))):
        if not chosen.overlaps(span):
            chosen.add(span)
    out, pos = [], 0
    for span in chosen.spans:
        out += [text[pos:span.start], span.replacement]
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


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
