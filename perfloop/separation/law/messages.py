# ruff: noqa: E501 - the catalogue keeps each bilingual text on one line so translators can compare them
"""Every text the law engine shows, in zh-Hans and English.

Why not gettext: the engine is pure and must run without Django settings (property
tests, benchmarks, the CLI's ``--json`` mode). HR shows an arbitrator the working in
Chinese and an auditor may read it in English, so each step carries both texts.
``BilingualText`` renders in the active language the web layer reports (see
``use_language_resolver``), else English.

Placeholders use ``str.format`` names; callers pass already formatted values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BilingualText:
    """One text in both languages; ``str()`` picks the active language."""

    zh: str
    en: str

    def for_language(self, language: str | None) -> str:
        return self.zh if (language or "").lower().startswith("zh") else self.en

    def __str__(self) -> str:
        return self.for_language(active_language())

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


_language_resolver: Callable[[], str | None] | None = None


def use_language_resolver(resolver: Callable[[], str | None] | None) -> None:
    """Let the web layer say which language is active (Django's ``get_language``); the engine imports no Django."""
    global _language_resolver  # one process-wide hook, set once at start-up
    _language_resolver = resolver


def active_language() -> str:
    """The language the web layer reports as active, else English (CLI, tests, benchmarks)."""
    if _language_resolver is None:
        return "en"
    return _language_resolver() or "en"


def message(key: str, **params: Any) -> BilingualText:
    """The catalogue text ``key`` with ``params`` filled in; an unknown key is a programming error."""
    try:
        zh, en = CATALOGUE[key]
    except KeyError as exc:
        raise KeyError(f"law message id not in the catalogue: {key}") from exc
    return BilingualText(
        zh=_fill(zh, {name: _display(value, "zh") for name, value in params.items()}),
        en=_fill(en, {name: _display(value, "en") for name, value in params.items()}),
    )


def city_label(city: str) -> BilingualText:
    """A city's name in both languages when the catalogue knows it, else the key as given."""
    key = f"city.{city}"
    return message(key) if key in CATALOGUE else BilingualText(zh=city, en=city)


def has_message(key: str) -> bool:
    return key in CATALOGUE


def _fill(template: str, values: Mapping[str, str]) -> str:
    try:
        return template.format_map(values)
    except (KeyError, IndexError) as exc:
        raise KeyError(f"missing placeholder {exc} for text {template!r}") from exc


def _display(value: Any, language: str) -> str:
    """A placeholder value in ``language``: bilingual values pick their side, lists are joined."""
    if isinstance(value, BilingualText):
        return value.for_language(language)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_display(item, language) for item in value)
    return str(value)


# The catalogue: id → (zh-Hans, English). Ids are grouped by prefix:
# rule.* pack.* route.* precondition.* procedure.* protected.* intervention.* non_union.*
# notice.* formula.* limitation.* retention.* privacy.* result.* step.* finding.* deadline.* error.*
CATALOGUE: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ cities
    "city.shanghai": ("上海市", "Shanghai"),
    "city.beijing": ("北京市", "Beijing"),
    "city.shenzhen": ("深圳市", "Shenzhen"),
    "city.guangzhou": ("广州市", "Guangzhou"),
    "city.hangzhou": ("杭州市", "Hangzhou"),
    "city.chengdu": ("成都市", "Chengdu"),
    "city.tianjin": ("天津市", "Tianjin"),
    # ------------------------------------------------------------------ packs and rules
    "pack.cn": ("中国大陆（劳动合同法）", "Mainland China (Labour Contract Law)"),
    "pack.uk": ("英国（英格兰和威尔士）", "United Kingdom (England and Wales)"),
    "rule.CN-G-01": (
        "第四十条第（二）项：不能胜任、经培训或调岗仍不能胜任、提前三十日书面通知或额外支付一个月工资",
        "Art. 40(2): incompetent, still incompetent after training or reassignment, 30 days' notice or a month's pay",
    ),
    "rule.CN-G-02": (
        "未经培训或调岗直接解除属违法解除",
        "Dismissal without training or reassignment is unlawful",
    ),
    "rule.CN-G-03": (
        "第四十条第（三）项客观情况变化不适用于绩效案件",
        "Art. 40(3) is not offered for performance cases",
    ),
    "rule.CN-G-04": (
        "试用期解除限于第三十九条、第四十条第（一）（二）项并须说明理由；试用期上限",
        "Probation: only Art. 39 or 40(1)/(2), reason explained; Art. 19 caps",
    ),
    "rule.CN-G-05": (
        "第三十九条第（一）项仅适用于试用期内，无需通知，无经济补偿",
        "Art. 39(1) only inside probation; no notice, no severance",
    ),
    "rule.CN-G-06": ("业绩差不属于第三十九条过失情形", "Poor results are not an Art. 39 fault"),
    "rule.CN-G-07": (
        "第四十一条经济性裁员的人数标准与程序",
        "Art. 41 economic layoff: thresholds and procedure",
    ),
    "rule.CN-C-01": (
        "不能胜任工作的定义；不得故意提高定额",
        "Definition of incompetence; no deliberately raised quotas",
    ),
    "rule.CN-C-02": (
        "目标应与合同、岗位说明及同岗位人员对比",
        "Compare targets with the contract, the job description and peers",
    ),
    "rule.CN-C-03": (
        "末位等次不等同于不能胜任（指导案例18号）",
        "A bottom ranking is not proof of incompetence (GC18)",
    ),
    "rule.CN-C-04": (
        "用人单位承担举证责任；调岗须因不能胜任",
        "The employer bears the burden; a transfer must be for incompetence",
    ),
    "rule.CN-C-05": (
        "规章制度须经民主程序并公示",
        "Workplace rules need the democratic procedure and publication",
    ),
    "rule.CN-C-06": (
        "再次考核应采用同一标准，标准事先告知",
        "Re-assessment on the same standard, known in advance",
    ),
    "rule.CN-R-01": (
        "变更合同内容一般须书面协商；不能胜任可单方合理调岗",
        "Contract changes need agreement; incompetence allows a reasonable unilateral change",
    ),
    "rule.CN-R-02": (
        "调岗合理性审查（地区裁判指引，可配置）",
        "Reasonableness tests for reassignment (regional, configurable)",
    ),
    "rule.CN-R-03": (
        "虚假调岗违法；培训或调岗后须有最短再考核期",
        "Sham reassignment is unlawful; a minimum re-assessment window",
    ),
    "rule.CN-P42-01": (
        "第四十二条：特定情形下不得依第四十条、第四十一条解除",
        "Art. 42: no Art. 40/41 termination for protected employees",
    ),
    "rule.CN-P42-02": (
        "连续工作满十五年且距法定退休年龄不足五年；2025年退休年龄改革",
        "≥ 15 years' service and < 5 years to retirement; the 2025 reform",
    ),
    "rule.CN-P42-03": (
        "通知时和解除日均须核查；通知期内新出现的情形转法务审查",
        "Check at notice and at termination; status arising during notice goes to legal review",
    ),
    "rule.CN-PR-01": (
        "提前三十日书面通知本人或额外支付一个月工资",
        "30 days' written notice to the employee personally, or a month's pay",
    ),
    "rule.CN-PR-02": (
        "事先将理由通知工会；工会意见书面答复",
        "Tell the union first with reasons; answer its opinion in writing",
    ),
    "rule.CN-PR-03": (
        "解除证明、十五日内转移档案和社保、交接后支付补偿、合同文本保存两年",
        "Certificate, file transfer within 15 days, severance on hand-over, keep the contract 2 years",
    ),
    "rule.CN-PR-04": (
        "解除时一次付清工资；工资支付记录保存两年",
        "Final wages in one sum; keep wage records 2 years",
    ),
    "rule.CN-M-01": ("依第四十条解除应支付经济补偿", "An Art. 40 termination triggers severance"),
    "rule.CN-M-02": ("经济补偿年限 N", "Service multiplier N"),
    "rule.CN-M-03": (
        "月工资 W：前十二个月平均应得工资，最低工资兜底",
        "Monthly wage W: 12-month average wage payable, minimum-wage floor",
    ),
    "rule.CN-M-04": (
        "三倍封顶：高于3A的按3A且年限不超过十二年",
        "The cap: above 3A, base 3A and at most 12 years",
    ),
    "rule.CN-M-05": (
        "2008年前的工作年限按当时规定分段计算",
        "Pre-2008 service under the rules then in force",
    ),
    "rule.CN-M-06": ("代通知金按上一个月工资标准", "Pay in lieu at the previous month's wage"),
    "rule.CN-M-07": ("合法解除合计 = 经济补偿 + 代通知金", "Lawful total = severance + pay in lieu"),
    "rule.CN-M-08": (
        "违法解除赔偿金为经济补偿的二倍，自用工之日起算",
        "Unlawful-termination damages = 2 × severance, from the first day of work",
    ),
    "rule.CN-M-09": ("金额使用精确小数，保留到分", "Exact decimals, CNY to the fen"),
    "rule.CN-E-01": ("用人单位承担举证责任", "The employer bears the burden of proof"),
    "rule.CN-E-02": ("仲裁时效一年，可中断、中止", "One-year limitation, interruptible and suspendable"),
    "rule.CN-E-03": (
        "证据材料至少保存至解除后两年且争议终结",
        "Keep the evidence pack ≥ 2 years after termination and until disputes end",
    ),
    "rule.CN-D-01": (
        "人力资源管理所必需的处理无需同意（以合法规章为前提）",
        "HR processing needs no consent under lawful rules",
    ),
    "rule.CN-D-02": (
        "保存期限为实现目的所必需的最短时间，期满删除或停止处理",
        "Keep only as long as needed, then delete or store only",
    ),
    "rule.CN-D-03": (
        "敏感个人信息仅存标记、日期和确认人",
        "Sensitive data as flags, dates and who confirmed",
    ),
    "rule.CN-D-04": (
        "自动化决策：建议仅供参考，由具名人员决定并说明理由",
        "Automated decisions: advisory only; a named person decides and explains",
    ),
    "rule.CN-D-05": (
        "事前进行个人信息保护影响评估，报告保存三年",
        "Impact assessment in advance; report kept 3 years",
    ),
    "rule.CN-D-06": ("查阅、复制等权利；拒绝须说明理由", "Rights to consult and copy; refusals need reasons"),
    "rule.CN-D-07": (
        "处理记录至少保存三年；网络日志六个月",
        "Processing records ≥ 3 years; network logs 6 months",
    ),
    "rule.CN-PK-01": (
        "协商一致解除（第三十六条），依第四十六条第（二）项支付经济补偿",
        "Mutual termination (Art. 36) with Art. 46(2) severance",
    ),
    "rule.CN-PK-02": ("员工已改进，结案", "Close the case: the person improved"),
    "rule.UK-G-01": (
        "能力是潜在的正当解雇理由，须经合理性检验",
        "Capability is a potentially fair reason, tested for reasonableness",
    ),
    "rule.UK-PR-01": ("先提供支持、资源和培训", "Support, resources and training first"),
    "rule.UK-PR-02": ("尝试调整职责或其他岗位", "Try changed duties or another role"),
    "rule.UK-PR-03": (
        "符合 Acas 准则的程序：会议、陪同权、申诉",
        "A procedure in line with the Acas Code: meeting, companion, appeal",
    ),
    "rule.UK-Q-01": (
        "不公平解雇的资格期：2027-01-01 前两年，之后六个月",
        "Qualifying period: 2 years before 2027-01-01, then 6 months",
    ),
    "rule.UK-N-01": ("法定最短通知期（ERA s.86）", "Statutory minimum notice (ERA s.86)"),
    "rule.UK-M-01": (
        "未合理遵守 Acas 准则的赔偿最多调整25%",
        "Up to 25% adjustment for not following the Acas Code",
    ),
    "rule.UK-M-02": ("2027-01-01 起取消补偿性赔偿上限", "Compensatory-award cap removed from 2027-01-01"),
    "rule.UK-E-01": ("自解雇生效日起三个月减一天内起诉", "Claims within 3 months less a day of the EDT"),
    # ------------------------------------------------------------------ routes and grounds
    "route.lcl_40_2": ("不能胜任解除（第四十条第（二）项）", "Termination for incompetence (Art. 40(2))"),
    "route.lcl_36_mutual": ("协商一致解除（第三十六条）", "Negotiated mutual termination (Art. 36)"),
    "route.lcl_39_1_probation": (
        "试用期不符合录用条件（第三十九条第（一）项）",
        "Not meeting hiring conditions in probation (Art. 39(1))",
    ),
    "route.lcl_40_3": (
        "客观情况发生重大变化（第四十条第（三）项）",
        "Major change of objective circumstances (Art. 40(3))",
    ),
    "route.lcl_39_fault": ("过失性解除（第三十九条）", "Termination for fault (Art. 39)"),
    "route.lcl_41_review": ("经济性裁员审查（第四十一条）", "Economic layoff review (Art. 41)"),
    "route.close_improved": ("已改进，结案", "Close the case: improved"),
    "route.uk_capability_dismissal": ("能力原因解雇", "Capability dismissal"),
    "route.uk_settlement_agreement": ("和解协议", "Settlement agreement"),
    "precondition.incompetent_against_standard": (
        "按客观、事先约定的标准证明不能胜任",
        "Incompetence proven against an objective, agreed standard",
    ),
    "precondition.training_or_reassignment": (
        "因不能胜任而进行培训或调整岗位",
        "Training or reassignment because of the incompetence",
    ),
    "precondition.still_incompetent": (
        "培训或调岗后再次考核仍不能胜任",
        "Still incompetent at the re-assessment after it",
    ),
    "precondition.notice_or_pay": (
        "提前三十日书面通知本人或额外支付一个月工资",
        "30 days' written notice or a month's pay in lieu",
    ),
    "precondition.not_protected": (
        "通知时和解除日均无第四十二条情形",
        "No Art. 42 status at notice or at termination",
    ),
    "precondition.union_notified": ("事先将理由通知工会", "The union told first, with reasons"),
    "precondition.genuine_agreement": ("双方真实、自愿的书面协议", "A genuine, voluntary written agreement"),
    "precondition.inside_probation": ("在合法试用期内", "Inside a lawful probation period"),
    "precondition.reason_explained": ("向劳动者说明理由", "The reason explained to the employee"),
    "precondition.layoff_procedure": (
        "提前三十日向工会或全体职工说明情况并报告劳动行政部门",
        "Explain to the union or all staff 30 days ahead and report to the labour department",
    ),
    "precondition.uk_evidence": ("有业绩不佳的证据", "Evidence of the poor performance"),
    "precondition.uk_support": ("已提供支持和培训", "Support and training given"),
    "precondition.uk_alternatives": ("已考虑其他职责或岗位", "Other duties or roles considered"),
    "precondition.uk_fair_procedure": (
        "公平程序：会议、陪同权、申诉",
        "A fair procedure: meeting, companion, appeal",
    ),
    "procedure.rules_procedure": (
        "定额、考核制度经民主程序并公示",
        "Quota and assessment rules adopted democratically and published",
    ),
    "procedure.training_or_reassignment": (
        "因不能胜任进行培训或调岗",
        "Training or reassignment for the incompetence",
    ),
    "procedure.reassessment_window": (
        "培训或调岗后经过合理期间再考核",
        "Re-assess after a reasonable window",
    ),
    "procedure.union_notice": (
        "事先通知工会并说明理由（无工会时按配置）",
        "Notify the union first with reasons (configurable where there is none)",
    ),
    "procedure.written_notice": (
        "提前三十日书面通知本人或支付代通知金",
        "30 days' written notice or pay in lieu",
    ),
    "procedure.termination_formalities": (
        "出具解除证明，十五日内转移档案和社保",
        "Certificate; file and social insurance transferred within 15 days",
    ),
    "procedure.final_wages": ("解除时一次付清工资", "Final wages paid in one sum"),
    "procedure.uk_support": ("支持与培训", "Support and training"),
    "procedure.uk_alternatives": ("考虑调整职责或其他岗位", "Consider changed duties or another role"),
    "procedure.uk_meeting": (
        "能力会议（可由同事或工会代表陪同）",
        "Capability meeting (right to be accompanied)",
    ),
    "procedure.uk_appeal": ("申诉", "Appeal"),
    # ------------------------------------------------------------------ protected categories
    "protected.occupational_disease_exposure": (
        "从事接触职业病危害作业未进行离岗前职业健康检查，或疑似职业病病人在诊断或医学观察期间",
        "Occupational-disease exposure without exit exam, or suspected patient under diagnosis or observation",
    ),
    "protected.work_injury_capacity_loss": (
        "在本单位患职业病或因工负伤并被确认丧失或部分丧失劳动能力",
        "Occupational disease or work injury here with confirmed loss of working capacity",
    ),
    "protected.medical_treatment_period": (
        "患病或非因工负伤，在规定的医疗期内",
        "Illness or non-work injury within the medical treatment period",
    ),
    "protected.pregnancy_maternity_nursing": (
        "女职工在孕期、产期、哺乳期",
        "Female employee in pregnancy, maternity or nursing",
    ),
    "protected.long_service_near_retirement": (
        "在本单位连续工作满十五年，且距法定退休年龄不足五年",
        "≥ 15 years' continuous service and < 5 years to statutory retirement age",
    ),
    "protected.other_statutory": (
        "法律、行政法规规定的其他情形",
        "Other cases under laws or administrative regulations",
    ),
    "protected.uk_automatically_unfair": (
        "自动不公平理由（如怀孕、举报）或歧视风险",
        "Automatically unfair reasons (e.g. pregnancy, whistleblowing) or discrimination",
    ),
    "intervention.training": ("培训", "training"),
    "intervention.reassignment": ("调岗", "reassignment"),
    "non_union.employee_representatives": ("通知职工代表", "notify the employee representatives"),
    "non_union.local_union_federation": ("通知当地工会联合会", "notify the local union federation"),
    "non_union.none": ("不另行通知（风险自担）", "no notice (at the employer's risk)"),
    "notice.cn": (
        "提前三十日书面通知本人，或额外支付一个月工资后解除",
        "30 days' written notice to the employee personally, or one extra month's wage",
    ),
    "notice.uk": (
        "法定最短通知期：满一个月后一周，满两年后每年一周，最多十二周",
        "Statutory minimum notice: 1 week after a month, 1 week per year from 2 years, at most 12",
    ),
    "formula.n": (
        "每满一年一个月；六个月以上按一年，不满六个月按半个月",
        "A month per full year; ≥ 6 months counts as a year, less as half",
    ),
    "formula.w": (
        "前十二个月平均应得工资，低于最低工资的按最低工资",
        "12-month average wage payable, not below the minimum wage",
    ),
    "formula.cap": (
        "高于3A的按3A计算，年限最高十二年；不高于3A的不设年限上限",
        "Above 3A: base 3A, at most 12 years; otherwise no year limit",
    ),
    "formula.pre_2008": (
        "2008年前按当时规定计算，2008年起按劳动合同法计算",
        "Before 2008 under the old rules, from 2008 under the LCL",
    ),
    "formula.p": ("代通知金 = 上一个月工资", "Pay in lieu = previous month's wage"),
    "formula.total": ("合法解除合计 = S + P", "Lawful total = S + P"),
    "formula.d": (
        "赔偿金 = 2 × 经济补偿，自用工之日起算",
        "Damages = 2 × severance, from the first day of work",
    ),
    "formula.negotiated": ("协商解除 = N + x 个月", "Negotiated exit = N + x months"),
    "formula.uk_notice_pay": ("代通知金 = 通知周数 × 周工资", "Notice pay = weeks × weekly pay"),
    "formula.uk_uplift": (
        "未遵守 Acas 准则，赔偿最多上调25%",
        "Up to 25% uplift for not following the Acas Code",
    ),
    "limitation.cn": (
        "劳动争议仲裁时效一年，自知道或应当知道权利被侵害之日起算",
        "One year from when the party knew or should have known",
    ),
    "limitation.uk": (
        "自解雇生效日起三个月减一天（未核实）",
        "Three months less one day from the EDT (unverified)",
    ),
    "retention.evidence_pack": (
        "证据材料：解除后至少两年且争议终结",
        "Evidence pack: ≥ 2 years after termination and until disputes end",
    ),
    "retention.contract_text": (
        "已解除的劳动合同文本至少保存两年",
        "Terminated contract text kept ≥ 2 years",
    ),
    "retention.wage_records": ("工资支付记录至少保存两年", "Wage-payment records kept ≥ 2 years"),
    "retention.impact_assessment": (
        "个人信息保护影响评估报告和处理记录至少保存三年",
        "Impact assessment report and processing records kept ≥ 3 years",
    ),
    "retention.processing_records": (
        "处理记录（访问日志）至少保存三年",
        "Processing records (access logs) kept ≥ 3 years",
    ),
    "retention.after_purpose": (
        "目的实现后删除；法定保存期未满的仅存储并采取安全措施",
        "Delete once the purpose is met; while a legal period runs, store and secure only",
    ),
    "retention.uk_case_file": (
        "按英国数据保护法的存储限制原则由政策确定（未核实）",
        "Set by policy under UK data-protection storage limitation (unverified)",
    ),
    "privacy.hr_processing_basis": (
        "依法制定的规章制度所必需的人力资源管理处理无需同意",
        "HR processing necessary under lawfully made rules needs no consent",
    ),
    "privacy.retention_then_delete": (
        "最短必要期限保存，期满删除或仅存储",
        "Keep for the shortest period needed, then delete or store only",
    ),
    "privacy.sensitive_as_flags": (
        "医疗、孕期等只存标记、日期和确认人，不存诊断",
        "Medical or pregnancy data: a flag, dates and who confirmed, never a diagnosis",
    ),
    "privacy.human_decides": (
        "系统建议仅供参考，由具名人员决定并保存说明",
        "The recommendation is advisory; a named person decides and the explanation is kept",
    ),
    "privacy.impact_assessment": (
        "处理敏感信息和自动化决策前进行影响评估",
        "Impact assessment before sensitive or automated processing",
    ),
    "privacy.rights_requests": (
        "提供便捷的查阅、复制申请渠道，拒绝须说明理由",
        "A convenient request channel; refusals give reasons",
    ),
    "privacy.access_logs": (
        "对改进计划和解除档案的每次访问只追加记录",
        "Append-only log of every access to PIP and termination files",
    ),
    "privacy.uk_human_decides": (
        "由具名管理者在听取员工意见后决定",
        "A named manager decides after hearing the employee",
    ),
    "eligibility.advisory": (
        "本结果仅为建议，须由具名人员作出决定并记录理由（《个人信息保护法》第二十四条）。",
        "This result is advice only: a named person decides and records the reasons (PIPL Art. 24).",
    ),
    # ------------------------------------------------------------------ results
    "result.severance": ("经济补偿（第四十七条）", "Severance (Art. 47)"),
    "result.pay_in_lieu": ("代通知金", "Pay in lieu of notice"),
    "result.lawful_total": ("合法解除应付合计", "Lawful termination total"),
    "result.unlawful_damages": ("违法解除赔偿金（2N）", "Unlawful-termination damages (2N)"),
    "result.negotiated_exit": ("协商解除（N + x）", "Negotiated exit (N + x)"),
    "result.last_working_day": ("最后工作日", "Last working day"),
    "result.uk_notice_period": ("通知期", "Notice period"),
    "result.uk_notice_pay": ("代通知金", "Notice pay"),
    # ------------------------------------------------------------------ working steps
    "step.severance_due": (
        "依《劳动合同法》第四十条解除的，应依第四十六条第（三）项支付经济补偿。",
        "A termination under LCL Art. 40 triggers severance under Art. 46(3).",
    ),
    "step.reference_figures": (
        "{city}上年度（{year}年）职工月平均工资 A = {average}元；解除时最低工资标准 {minimum}元。来源：{source}；已核实：{verified}。",
        "{city}: the previous year's ({year}) average monthly wage A = {average}; minimum wage at termination {minimum}. Source: {source}; verified: {verified}.",
    ),
    "step.wage_window": (
        "计算月工资的月份为 {first} 至 {last}，共 {count} 个月（解除前十二个完整月份；不足十二个月的按实际工作月份）。未使用的月份：{ignored}。",
        "Months averaged for W: {first} to {last}, {count} months (the 12 full months before termination, or the months worked). Months given but not used: {ignored}.",
    ),
    "step.wage_overtime_excluded": (
        "{city}加班工资不计入月工资基数：应得工资合计 {wages} 元，扣除加班工资 {overtime} 元，计 {result} 元。",
        "{city} leaves overtime out of W: wages {wages} less overtime {overtime} = {result}.",
    ),
    "step.wage_overtime_included": (
        "{city}加班工资计入月工资基数：其中加班工资 {overtime} 元，应得工资合计 {result} 元。",
        "{city} counts overtime in W: overtime {overtime} included, wages total {result}.",
    ),
    "step.wage_average": (
        "前十二个月应得工资合计 {total} 元，月平均工资 W = {total} ÷ {months} = {result} 元。",
        "Wages payable over the 12 months total {total}; W = {total} ÷ {months} = {result}.",
    ),
    "step.wage_average_short": (
        "工作不满十二个月，按实际工作的 {months} 个月计算：W = {total} ÷ {months} = {result} 元。",
        "Fewer than 12 months worked, so the average is over the {months} months worked: W = {total} ÷ {months} = {result}.",
    ),
    "step.minimum_wage_floor_applied": (
        "月平均工资 {average} 元低于{city}最低工资标准 {minimum} 元，按最低工资标准计算：W = {result} 元。",
        "The average {average} is below {city}'s minimum wage {minimum}, so the minimum applies: W = {result}.",
    ),
    "step.minimum_wage_floor_not_needed": (
        "月平均工资 {average} 元不低于{city}最低工资标准 {minimum} 元：W = {result} 元。",
        "The average {average} is not below {city}'s minimum wage {minimum}: W = {result}.",
    ),
    "step.wage_rounded": (
        "按所选参数，先将月工资基数四舍五入到分：W = {result} 元。",
        "As chosen, W is rounded to the fen before multiplying: W = {result}.",
    ),
    "step.merged_service": (
        "劳动者非因本人原因从原用人单位被安排到本单位，原单位工作年限合并计算，自 {merged_start} 起算（本单位入职日 {hire_date}）。",
        "The employee was moved here not of their own accord, so service at the previous employer is merged from {merged_start} (hired here {hire_date}).",
    ),
    "step.service_length_full": (
        "工作年限自 {first_day} 至 {last_day}：{years} 年 {months} 个月 {days} 天。",
        "Service from {first_day} to {last_day}: {years} years {months} months {days} days.",
    ),
    "step.service_length_post_2008": (
        "2008年1月1日起的工作年限，自 {first_day} 至 {last_day}：{years} 年 {months} 个月 {days} 天。",
        "Service from 2008-01-01 ({first_day}) to {last_day}: {years} years {months} months {days} days.",
    ),
    "step.multiplier_whole_years": (
        "满 {full_years} 年，无零头：N = {result}。",
        "{full_years} full years and no remainder: N = {result}.",
    ),
    "step.multiplier_remainder_full": (
        "满 {full_years} 年，零头 {remainder_months} 个月 {remainder_days} 天，六个月以上（含六个月）按一年计算（零头计法：{counting}）：N = {result}。",
        "{full_years} full years; the remainder of {remainder_months} months {remainder_days} days is 6 months or more (6 included) and counts as a year (part-month counting: {counting}): N = {result}.",
    ),
    "step.multiplier_remainder_half": (
        "满 {full_years} 年，零头 {remainder_months} 个月 {remainder_days} 天，不满六个月的支付半个月工资（零头计法：{counting}）：N = {result}。",
        "{full_years} full years; the remainder of {remainder_months} months {remainder_days} days is under 6 months and counts as half a month (part-month counting: {counting}): N = {result}.",
    ),
    "step.multiplier_remainder_dropped": (
        "满 {full_years} 年，零头 {remainder_days} 天按所选计法（{counting}）不计：N = {result}。",
        "{full_years} full years; the {remainder_days} leftover days are dropped under the chosen counting ({counting}): N = {result}.",
    ),
    "step.cap_applied": (
        "W = {wage} 元高于{city} {year} 年职工月平均工资的三倍（3A = 3 × {average} = {cap} 元）：按 3A 计算，年限最高不超过十二年，N = {limited}。",
        "W = {wage} is above three times {city}'s {year} average (3A = 3 × {average} = {cap}): the base is 3A and N is limited to 12, N = {limited}.",
    ),
    "step.cap_not_applied": (
        "W = {wage} 元不高于 3A = 3 × {average} = {cap} 元：按 W 计算，年限不受十二年限制，N = {multiplier}。",
        "W = {wage} is not above 3A = 3 × {average} = {cap}: the base is W and there is no 12-year limit, N = {multiplier}.",
    ),
    "step.severance_amount": (
        "经济补偿 S = N × 基数 = {multiplier} × {base} = {result} 元。",
        "Severance S = N × base = {multiplier} × {base} = {result}.",
    ),
    "step.pre_2008_segment": (
        "2008年1月1日前的工作年限（{first_day} 至 {last_day}，{length}）按当时规定（劳部发〔1994〕481号）：每满一年一个月工资，不满一年按一年计，最多十二个月：{result} 个月。",
        "Service before 2008-01-01 ({first_day} to {last_day}, {length}) under the rules then in force (MOL 1994 No. 481): a month per year, a part year counts as a year, at most 12: {result} months.",
    ),
    "step.pre_2008_amount": (
        "2008年前部分 S₁ = {months} × {wage} = {result} 元（不适用三倍封顶）。",
        "Pre-2008 part S₁ = {months} × {wage} = {result} (no 3A cap).",
    ),
    "step.post_2008_amount": (
        "2008年起部分 S₂ = {multiplier} × {base} = {result} 元。",
        "Part from 2008 S₂ = {multiplier} × {base} = {result}.",
    ),
    "step.segments_total": (
        "经济补偿合计 S = S₁ + S₂ = {old} + {new} = {result} 元。",
        "Severance S = S₁ + S₂ = {old} + {new} = {result}.",
    ),
    "step.pre_2008_unsegmented": (
        "按所选规则（{rule}），2008年前的工作年限与之后合并按第四十七条计算。",
        "Under the chosen rule ({rule}), service before 2008 is counted with the rest under Art. 47.",
    ),
    "step.final_rounding": (
        "精确结果 {exact} 元，四舍五入到分：{result} 元。",
        "Exact result {exact}, rounded half up to the fen: {result}.",
    ),
    "step.pay_in_lieu_not_due": (
        "已提前三十日书面通知，不需支付代通知金：P = 0。",
        "30 days' written notice is given, so no pay in lieu is due: P = 0.",
    ),
    "step.pay_in_lieu_given_wage": (
        "未提前三十日通知，额外支付一个月工资，按上一个月（{month}）工资标准 {wage} 元：P = {result} 元。",
        "No 30 days' notice, so one extra month's wage at the previous month's ({month}) wage {wage}: P = {result}.",
    ),
    "step.pay_in_lieu_from_wages": (
        "未提前三十日通知，额外支付一个月工资，按上一个月（{month}）工资 {wage} 元确定，不按十二个月平均，也不适用三倍封顶：P = {result} 元。",
        "No 30 days' notice, so one extra month's wage at the previous month's ({month}) wage {wage}, not the 12-month average and with no 3A cap: P = {result}.",
    ),
    "step.lawful_total": (
        "合法解除应付合计 = S + P = {severance} + {pay_in_lieu} = {result} 元。",
        "Lawful total = S + P = {severance} + {pay_in_lieu} = {result}.",
    ),
    "step.damages_basis": (
        "违法解除且劳动者不要求继续履行的，赔偿金为经济补偿标准的二倍，工作年限自用工之日（{first_day}）起计算，包括2008年前的年限。",
        "For an unlawful termination where the employee does not ask to keep the job, damages are twice the severance, with service from the first day of work ({first_day}), pre-2008 years included.",
    ),
    "step.damages_amount": (
        "赔偿金 D = 2 × {multiplier} × {base} = {result} 元。",
        "Damages D = 2 × {multiplier} × {base} = {result}.",
    ),
    "step.damages_plus_pay_in_lieu": (
        "按所选参数在赔偿金外另计代通知金 {pay_in_lieu} 元（是否应付未经核实）：合计 {result} 元。",
        "As chosen, pay in lieu {pay_in_lieu} is added to the damages (whether it is owed is unverified): {result}.",
    ),
    "step.damages_no_severance": (
        "支付赔偿金的不再支付经济补偿；代通知金默认不另计（未经核实，实践中一般不支持）。",
        "Damages replace severance; pay in lieu is not added by default (unverified; practice says no).",
    ),
    "step.negotiated_amount": (
        "协商解除（N + x）：{severance} + {extra_months} × {base} + {extra_amount} = {result} 元。",
        "Negotiated exit (N + x): {severance} + {extra_months} × {base} + {extra_amount} = {result}.",
    ),
    "step.last_day_with_notice": (
        "{notice_date} 书面通知，通知当日不计入，提前 {days} 日：最早解除日（最后工作日）为 {result}。",
        "Written notice on {notice_date}, the day itself not counted, {days} days ahead: the earliest last working day is {result}.",
    ),
    "step.last_day_pay_in_lieu": (
        "支付代通知金的，可于通知当日（{notice_date}）解除：最后工作日为 {result}。",
        "With pay in lieu, employment may end on the notice date ({notice_date}): last working day {result}.",
    ),
    "step.uk_extended_edt": (
        "解雇生效日 {edt}；自通知日 {notice_date} 起法定最短通知 {weeks} 周，用于计算资格期的生效日为 {result}。",
        "EDT {edt}; statutory minimum notice of {weeks} weeks from {notice_date} makes the EDT for the qualifying period {result}.",
    ),
    "step.uk_qualifying_period": (
        "资格期 {months} 个月，自 {start} 起须持续雇佣至 {qualifies_from}；生效日 {edt}：{result}。",
        "Qualifying period {months} months from {start}, reached on {qualifies_from}; EDT {edt}: {result}.",
    ),
    "step.uk_notice_weeks": (
        "通知期取法定 {statutory} 周与合同 {contractual} 周中较长者：{result} 周。",
        "Notice is the longer of statutory {statutory} and contractual {contractual} weeks: {result} weeks.",
    ),
    "step.uk_notice_pay": (
        "代通知金 = {weeks} 周 × {weekly_pay} 英镑 = {result} 英镑。",
        "Notice pay = {weeks} weeks × £{weekly_pay} = £{result}.",
    ),
    "step.uk_notice_worked": (
        "通知期照常工作，不另付代通知金：{result}。",
        "The notice is worked, so no notice pay: {result}.",
    ),
    # ------------------------------------------------------------------ eligibility findings
    "finding.no_failed_assessment": (
        "没有按客观标准证明不能胜任的考核记录，不能适用第四十条第（二）项。",
        "No assessment shows incompetence against an objective standard: Art. 40(2) is not available.",
    ),
    "finding.ranking_not_proof": (
        "考核采用排名或强制分布：末位等次不等同于不能胜任（指导案例18号），须有按岗位标准的证据。",
        "A ranking or forced distribution was used: a bottom ranking is not proof of incompetence (Guiding Case 18); evidence against the post's standard is needed.",
    ),
    "finding.ranking_only_evidence": (
        "考核 {assessment} 只有排名结论，末位不等同于不能胜任（指导案例18号）。",
        "Assessment {assessment} rests on a ranking only; a bottom place is not incompetence (Guiding Case 18).",
    ),
    "finding.no_training_or_reassignment": (
        "不能胜任后未进行因不能胜任而安排的培训或调岗，直接解除属违法解除。",
        "No training or reassignment for the incompetence followed the failed assessment; dismissing now would be unlawful.",
    ),
    "finding.intervention_not_for_incompetence": (
        "该{kind}的原因是“{reason}”，不是不能胜任，不计为法定的培训或调岗（指导案例18号）。",
        "This {kind} was for '{reason}', not incompetence, so it does not count as the statutory step (Guiding Case 18).",
    ),
    "finding.intervention_not_linked": (
        "该{kind}未关联到不合格的考核记录。",
        "This {kind} is not linked to the failed assessment.",
    ),
    "finding.intervention_before_assessment": (
        "该{kind}早于不合格考核，不能作为考核后的培训或调岗。",
        "This {kind} started before the failed assessment, so it cannot be the step that follows it.",
    ),
    "finding.reassignment_unreasonable": (
        "调岗未通过合理性审查（{region}）：{checks}。",
        "The reassignment fails the reasonableness tests ({region}): {checks}.",
    ),
    "finding.confirm_reassignment_reasonableness": (
        "请确认调岗的合理性（{region}）：{checks}。",
        "Confirm the reassignment's reasonableness ({region}): {checks}.",
    ),
    "finding.training_not_targeted": (
        "培训未针对考核中的不足，可能被认定为形式上的培训。",
        "The training did not target the gaps found, so it may be seen as a formality.",
    ),
    "finding.no_reassessment": (
        "培训或调岗后尚未再次考核。",
        "There is no re-assessment after the training or reassignment.",
    ),
    "finding.improved_after_intervention": (
        "培训或调岗后的考核 {assessment} 已合格，不能以不能胜任解除。",
        "The re-assessment {assessment} after the intervention was passed: no termination for incompetence.",
    ),
    "finding.latest_assessment_competent": (
        "最近一次考核 {assessment} 已合格。",
        "The latest assessment {assessment} was passed.",
    ),
    "finding.reassessment_too_soon": (
        "培训或调岗开始后仅 {days} 天即再考核，少于最短期间 {minimum} 天。",
        "The re-assessment came {days} days after the intervention began, less than the minimum of {minimum} days.",
    ),
    "finding.reassessment_standard_differs": (
        "再次考核标准（{second}）与首次（{first}）不同，应采用同一标准。",
        "The re-assessment used a different standard ({second}) from the first ({first}); use the same one.",
    ),
    "finding.possible_deliberate_raise": (
        "考核 {assessment} 的目标在期间内仅对该员工提高，可能构成故意提高定额。",
        "The target of assessment {assessment} was raised mid-period for this employee only: possibly a deliberate raise.",
    ),
    "finding.target_above_contract_or_peers": (
        "考核 {assessment} 的目标高于合同约定或同岗位人员的工作量。",
        "The target of assessment {assessment} is above the contract or the workload of peers in the same post.",
    ),
    "finding.standard_not_known_in_advance": (
        "考核 {assessment} 的标准未事先告知员工。",
        "The standard of assessment {assessment} was not made known in advance.",
    ),
    "finding.protected_at_notice": (
        "通知时存在第四十二条情形：{kind}。",
        "An Art. 42 status holds at the notice date: {kind}.",
    ),
    "finding.protected_at_termination": (
        "解除日存在第四十二条情形：{kind}。",
        "An Art. 42 status holds at the termination date: {kind}.",
    ),
    "finding.protected_arose_during_notice": (
        "通知期内出现第四十二条情形（{kind}），法律后果未经核实：暂停并转法务审查。",
        "An Art. 42 status ({kind}) arose during the notice period; the law here is unverified: stop and send to legal review.",
    ),
    "finding.protected_status_unconfirmed": (
        "第四十二条情形（{kind}）尚未记录确认人。",
        "The Art. 42 status ({kind}) has no record of who confirmed it.",
    ),
    "finding.confirm_retirement_protection": (
        "缺少出生日期或退休类别，无法核查“连续工作满十五年且距退休不足五年”的保护。",
        "Birth date or retirement category missing: the 15-years-and-near-retirement protection cannot be checked.",
    ),
    "finding.near_retirement_at_notice": (
        "通知时连续工作满十五年且距法定退休日（{retirement_date}，{age}）不足五年。",
        "At notice: ≥ 15 years' service and less than 5 years to statutory retirement ({retirement_date}, age {age}).",
    ),
    "finding.near_retirement_at_termination": (
        "解除日连续工作满十五年且距法定退休日（{retirement_date}，{age}）不足五年。",
        "At termination: ≥ 15 years' service and less than 5 years to statutory retirement ({retirement_date}, age {age}).",
    ),
    "finding.reaches_retirement_age": (
        "员工将于 {retirement_date} 达到法定退休年龄（{age}），劳动合同依法终止，请另行处理。",
        "The employee reaches statutory retirement age on {retirement_date} ({age}); the contract ends by law, handle it separately.",
    ),
    "finding.rules_not_democratic": (
        "相关考核、定额制度未经民主程序，不能作为裁判依据，也影响个人信息处理的合法性基础。",
        "The assessment and quota rules did not go through the democratic procedure: courts will not rely on them, and the PIPL basis fails.",
    ),
    "finding.rules_not_published": (
        "相关考核、定额制度未向员工公示或告知。",
        "The assessment and quota rules were not published or notified to employees.",
    ),
    "finding.confirm_rules_procedure": (
        "请确认考核、定额制度已经民主程序并已公示。",
        "Confirm the assessment and quota rules went through the democratic procedure and were published.",
    ),
    "finding.notice_too_short": (
        "书面通知至解除日仅 {days} 天，少于 {minimum} 天；最早解除日为 {earliest}，或改为支付代通知金。",
        "Only {days} days between written notice and termination, less than {minimum}; the earliest date is {earliest}, or pay in lieu.",
    ),
    "finding.notice_not_personal": (
        "解除通知未书面送达员工本人。",
        "The notice was not served in writing on the employee personally.",
    ),
    "finding.confirm_notice_service": (
        "请保存书面通知送达本人的证明。",
        "Keep proof that the written notice was served on the employee personally.",
    ),
    "finding.pay_in_lieu_due": (
        "未提前三十日通知的，须额外支付一个月工资（上一个月工资标准）。",
        "Without 30 days' notice, one extra month's wage (the previous month's) is due.",
    ),
    "finding.confirm_union": (
        "请确认用人单位是否建立工会。",
        "Confirm whether the employer has a union.",
    ),
    "finding.non_union_procedure": (
        "用人单位未建立工会：按配置{procedure}（做法因地而异，未经核实）。",
        "No union: as configured, {procedure} (practice varies by region; unverified).",
    ),
    "finding.union_not_notified": (
        "尚未事先将解除理由通知工会；未通知的，劳动者可主张违法解除赔偿金（起诉前补正的除外）。",
        "The union has not been told the reasons in advance; without it the employee can claim unlawful-termination damages unless cured before suit.",
    ),
    "finding.union_notified_late": (
        "工会于 {notified_on} 才收到通知，晚于解除通知；应事先通知并留出答复时间。",
        "The union was told only on {notified_on}, after the notice; it must be told first, with time to reply.",
    ),
    "finding.union_objection_unanswered": (
        "工会提出异议，用人单位尚未书面答复处理结果。",
        "The union objected and the employer has not answered in writing.",
    ),
    "finding.confirm_union_answer": (
        "工会提出异议：请确认已书面答复处理结果。",
        "The union objected: confirm the written answer was sent.",
    ),
    "finding.headcount_reduction": (
        "本案实为裁减人员，不能适用第四十条第（二）项，应按第四十一条审查。",
        "This is headcount reduction: Art. 40(2) is refused and the case goes to an Art. 41 review.",
    ),
    "finding.possible_economic_layoff": (
        "同时在办 {cases} 个案件（员工总数 {headcount}），达到经济性裁员的人数标准：法务审查前不得适用第四十条第（二）项。",
        "{cases} cases open at once (headcount {headcount}) reach the Art. 41 layoff thresholds: Art. 40(2) is refused until legal review clears it.",
    ),
    "finding.layoff_review_cleared": (
        "同时在办 {cases} 个案件（员工总数 {headcount}），法务已审查并排除经济性裁员。",
        "{cases} cases open at once (headcount {headcount}); legal review has ruled out a disguised layoff.",
    ),
    "finding.layoff_procedure": (
        "经济性裁员：提前三十日向工会或全体职工说明情况、听取意见，向劳动行政部门报告；优先留用法定人员；六个月内重新招用时优先通知被裁人员。",
        "Economic layoff: explain to the union or all staff 30 days ahead and hear them, report to the labour department; retain protected groups first; offer rehiring within 6 months.",
    ),
    "finding.severance_due": (
        "应支付经济补偿；未提前三十日通知的另付代通知金。",
        "Severance is due, plus pay in lieu if 30 days' notice is not given.",
    ),
    "finding.employer_burden_of_proof": (
        "用人单位承担举证责任：保存岗位标准及民主程序记录、培训或调岗前后的考核、培训或调岗记录、工会通知及答复、解除通知及送达证明、补偿计算。",
        "The employer bears the burden of proof: keep the job standards and democratic-procedure record, assessments before and after, training or reassignment records, union notice and reply, the notice and proof of service, the payment calculation.",
    ),
    "finding.termination_formalities": (
        "解除时出具解除证明，于 {deadline} 前办理档案和社会保险关系转移；工作交接完成时支付经济补偿。",
        "At termination issue the certificate, transfer the file and social insurance by {deadline}; pay severance when the hand-over is done.",
    ),
    "finding.final_wages_lump_sum": (
        "于解除日（{termination_date}）一次付清工资。",
        "Pay final wages in one sum on the termination date ({termination_date}).",
    ),
    "finding.keep_evidence_pack": (
        "证据材料、合同文本和工资记录至少保存至 {until}，有争议的保存至争议终结。",
        "Keep the evidence pack, contract text and wage records until at least {until}, and until any dispute is closed.",
    ),
    "finding.explain_reason_in_probation": (
        "试用期内解除须向劳动者说明理由。",
        "Inside probation the reason must be explained to the employee.",
    ),
    "finding.mutual_needs_genuine_consent": (
        "协商解除须双方真实自愿并签订书面协议。",
        "A mutual termination needs genuine, voluntary agreement in writing.",
    ),
    "finding.mutual_severance": (
        "由用人单位提出协商解除的，应支付经济补偿（第四十六条第（二）项）。",
        "Where the employer proposes the mutual termination, severance is due (Art. 46(2)).",
    ),
    "finding.protected_mutual_voluntary": (
        "员工处于第四十二条保护情形：协商解除须确保完全自愿。",
        "The employee is protected under Art. 42: make sure a mutual termination is fully voluntary.",
    ),
    "finding.not_in_probation": (
        "通知日不在合法试用期内：第三十九条第（一）项不适用。",
        "The notice date is outside a lawful probation period: Art. 39(1) is not available.",
    ),
    "finding.hiring_conditions_missing": (
        "没有事先明确告知的录用条件。",
        "There are no hiring conditions made known in advance.",
    ),
    "finding.confirm_hiring_conditions": (
        "请确认录用条件已事先明确并告知员工。",
        "Confirm the hiring conditions were set and made known in advance.",
    ),
    "finding.probation_no_severance": (
        "依第三十九条第（一）项解除无需通知，也不支付经济补偿。",
        "An Art. 39(1) termination needs no notice and pays no severance.",
    ),
    "finding.second_probation": (
        "同一用人单位与同一劳动者只能约定一次试用期，本次试用期无效。",
        "An employer may agree only one probation with an employee: this one is void.",
    ),
    "finding.probation_not_allowed": (
        "劳动合同期限不满三个月，不得约定试用期。",
        "A contract shorter than 3 months may not have probation.",
    ),
    "finding.probation_exceeds_cap": (
        "约定的试用期超过法定上限 {months} 个月，超过部分不是试用期（合法试用期至 {lawful_end}）。",
        "The agreed probation exceeds the legal cap of {months} months; the excess is not probation (lawful probation ends {lawful_end}).",
    ),
    "finding.ground_not_offered_40_3": (
        "第四十条第（三）项（客观情况发生重大变化）与绩效无关，本系统不提供。",
        "Art. 40(3) (change of objective circumstances) is unrelated to performance and is not offered.",
    ),
    "finding.fault_not_offered": (
        "业绩不佳不属于第三十九条的过失情形，不提供过失性解除。",
        "Poor results are not an Art. 39 fault, so fault termination is not offered.",
    ),
    "finding.uk_no_qualifying_period": (
        "未满 {months} 个月资格期：不能提出一般不公平解雇索赔，但歧视及自动不公平理由仍适用。",
        "Under the {months}-month qualifying period: no ordinary unfair-dismissal claim, but discrimination and automatically unfair reasons still apply.",
    ),
    "finding.uk_no_evidence": ("缺少业绩不佳的证据。", "No evidence of the poor performance."),
    "finding.uk_no_support": ("未提供支持或培训。", "No support or training was given."),
    "finding.uk_no_improvement_period": (
        "未给予合理的改进期。",
        "No reasonable period to improve was given.",
    ),
    "finding.uk_no_meeting": ("未召开能力会议。", "No capability meeting was held."),
    "finding.uk_no_accompaniment": (
        "未告知员工可由同事或工会代表陪同（ERelA 1999 s.10）。",
        "The right to be accompanied (ERelA 1999 s.10) was not offered.",
    ),
    "finding.uk_no_appeal": ("未提供申诉机会。", "No appeal was offered."),
    "finding.uk_confirm_fact": ("请确认：{fact}。", "Confirm: {fact}."),
    "finding.uk_alternative_role": (
        "尚未考虑调整职责或其他岗位。",
        "Changed duties or another role have not been considered.",
    ),
    "finding.uk_no_warning": ("解雇前未给予警告。", "No warning was given before dismissal."),
    "finding.uk_acas_uplift_risk": (
        "程序未遵守 Acas 准则：赔偿可能上调最多25%（是否适用于能力案件未核实）。",
        "The procedure departs from the Acas Code: an award may rise by up to 25% (scope for capability unverified).",
    ),
    "finding.uk_automatically_unfair_risk": (
        "存在自动不公平或歧视风险：转法务审查。",
        "Automatically unfair or discrimination risk: send to legal review.",
    ),
    "finding.uk_no_compensation_cap": (
        "生效日在2027-01-01或之后：补偿性赔偿不设上限。",
        "EDT on or after 2027-01-01: the compensatory award has no cap.",
    ),
    "finding.uk_improved": ("最近一次评估已改进。", "The latest review shows improvement."),
    "finding.uk_settlement_advice": (
        "和解协议须员工获得独立法律意见方有效。",
        "A settlement agreement binds only after the employee has independent legal advice.",
    ),
    # ------------------------------------------------------------------ deadlines
    "deadline.termination_certificate": ("出具解除劳动合同证明", "Issue the termination certificate"),
    "deadline.file_and_social_insurance_transfer": (
        "办理档案和社会保险关系转移（十五日内）",
        "Transfer the personnel file and social insurance (within 15 days)",
    ),
    "deadline.severance_on_handover": (
        "工作交接完成时支付经济补偿",
        "Pay severance on completion of the hand-over",
    ),
    "deadline.final_wages": ("一次付清工资", "Pay final wages in one sum"),
    "deadline.keep_contract_text": (
        "已解除的劳动合同文本保存至少两年",
        "Keep the terminated contract text at least 2 years",
    ),
    "deadline.keep_wage_records": ("工资支付记录保存至少两年", "Keep wage-payment records at least 2 years"),
    # ------------------------------------------------------------------ errors
    "error.missing_field": ("缺少必填项：{field}。", "Missing required field: {field}."),
    "error.invalid_date": (
        "{field} 不是有效日期：{value}（应为 YYYY-MM-DD）。",
        "{field} is not a valid date: {value} (expected YYYY-MM-DD).",
    ),
    "error.invalid_month": (
        "{field} 不是有效月份：{value}（应为 YYYY-MM）。",
        "{field} is not a valid month: {value} (expected YYYY-MM).",
    ),
    "error.invalid_number": ("{field} 不是有效数字：{value}。", "{field} is not a valid number: {value}."),
    "error.invalid_boolean": ("{field} 应为是或否：{value}。", "{field} must be true or false: {value}."),
    "error.invalid_choice": (
        "{field} 的值 {value} 无效，可选：{allowed}。",
        "{field} has an invalid value {value}; allowed: {allowed}.",
    ),
    "error.invalid_object": ("{field} 应为对象。", "{field} must be an object."),
    "error.invalid_list": ("{field} 应为对象列表。", "{field} must be a list of objects."),
    "error.unknown_field": ("{where} 中有未知字段：{fields}。", "Unknown fields in {where}: {fields}."),
    "error.invalid_parameter": (
        "参数 {name} 的值 {value} 无效。",
        "Parameter {name} has an invalid value {value}.",
    ),
    "error.dates_reversed": (
        "结束日期 {end} 早于开始日期 {start}。",
        "The end date {end} is before the start date {start}.",
    ),
    "error.date_out_of_range": (
        "{field} 的日期 {value} 不在 {first} 至 {last} 之间。",
        "The {field} {value} is not between {first} and {last}.",
    ),
    "error.termination_before_hire": (
        "解除日 {termination_date} 早于入职日 {hire_date}。",
        "The termination date {termination_date} is before the hire date {hire_date}.",
    ),
    "error.termination_before_lcl": (
        "解除日 {termination_date} 早于劳动合同法施行日（2008-01-01），本系统不计算。",
        "The termination date {termination_date} is before the Labour Contract Law (2008-01-01); not computed.",
    ),
    "error.merged_start_after_hire": (
        "合并计算的起算日 {merged_service_start} 晚于入职日 {hire_date}。",
        "The merged service start {merged_service_start} is after the hire date {hire_date}.",
    ),
    "error.notice_after_termination": (
        "通知日 {notice_date} 晚于解除日 {termination_date}。",
        "The notice date {notice_date} is after the termination date {termination_date}.",
    ),
    "error.notice_before_hire": (
        "通知日 {notice_date} 早于入职日 {hire_date}。",
        "The notice date {notice_date} is before the hire date {hire_date}.",
    ),
    "error.birth_after_hire": (
        "出生日期 {birth_date} 不早于入职日 {hire_date}。",
        "The birth date {birth_date} is not before the hire date {hire_date}.",
    ),
    "error.negative_wage": (
        "工资不能为负数（{month}：{amount}）。",
        "Wages cannot be negative ({month}: {amount}).",
    ),
    "error.overtime_exceeds_wage": (
        "{month} 的加班工资 {overtime} 大于应得工资 {amount}。",
        "Overtime {overtime} for {month} exceeds the wage {amount}.",
    ),
    "error.duplicate_wage_month": ("月份 {month} 的工资重复。", "The wage for {month} is given twice."),
    "error.missing_wage_months": (
        "缺少以下月份的工资：{months}。",
        "Wages are missing for these months: {months}.",
    ),
    "error.missing_previous_month_wage": (
        "缺少上一个月（{month}）的工资，无法计算代通知金。",
        "The previous month's ({month}) wage is missing, so pay in lieu cannot be computed.",
    ),
    "error.negative_negotiated_extra": (
        "协商额外月数或金额不能为负数。",
        "The negotiated extra months or amount cannot be negative.",
    ),
    "error.invalid_reference_figure": (
        "{city} {year} 年的参考数据无效（平均工资须大于零，最低工资不能为负）。",
        "Reference figures for {city} {year} are invalid (average must be positive, minimum not negative).",
    ),
    "error.invalid_reference_row": (
        "参考数据行无效（{kind}）：{row}。",
        "Invalid reference row ({kind}): {row}.",
    ),
    "error.unknown_city": (
        "没有城市 {city} 的参考数据，请先导入该市公布的数据。",
        "No reference data for the city {city}; import the city's published figures first.",
    ),
    "error.no_reference_for_year": (
        "没有 {city} {year} 年的职工月平均工资（已有年份：{years}），请导入公布数据或指定年份。",
        "No average monthly wage for {city} in {year} (years on file: {years}); import the published figure or choose a year.",
    ),
    "error.no_minimum_wage_for_date": (
        "没有 {city} 在 {date} 有效的最低工资标准。",
        "No minimum wage for {city} in force on {date}.",
    ),
    "error.unknown_retirement_category": (
        "未知的退休类别：{category}。",
        "Unknown retirement category: {category}.",
    ),
    "error.duplicate_assessment_id": ("考核编号重复：{ids}。", "Duplicate assessment ids: {ids}."),
    "error.assessment_before_hire": (
        "考核 {assessment_id} 早于入职日。",
        "Assessment {assessment_id} is dated before the hire date.",
    ),
    "error.unknown_assessment": (
        "培训或调岗关联的考核 {assessment_id} 不存在。",
        "The intervention links to an unknown assessment {assessment_id}.",
    ),
    "error.unknown_pack": (
        "未知的法域规则包：{pack}（可选：{known}）。",
        "Unknown jurisdiction pack: {pack} (known: {known}).",
    ),
    "error.sensitive_detail_not_allowed": (
        "受保护情形只能记录类型、起止日期和确认人，不能记录：{fields}。",
        "A protected status holds only kind, dates and who confirmed it; not allowed: {fields}.",
    ),
    "error.decision_needs_named_person": ("决定须由具名人员作出。", "A decision needs a named person."),
    "error.decision_needs_explanation": (
        "决定须附可读的理由说明。",
        "A decision needs a readable explanation.",
    ),
    "error.refusal_needs_reason": (
        "拒绝个人信息权利请求须说明理由。",
        "Refusing a personal-data request needs reasons.",
    ),
    "error.unreadable_file": ("无法读取文件：{path}。", "Cannot read the file: {path}."),
    "error.invalid_json": (
        "{path} 不是有效的 JSON（第 {line} 行）。",
        "{path} is not valid JSON (line {line}).",
    ),
}
