"""The default KPI catalogue of the product (product.md §2), as plain data.

The data migration `0002_default_kpis` writes these rows once; companies edit
their own catalogue afterwards, so nothing reads this module at run time except
to apply default weights to a new position.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    aggregation: str
    default_target: Decimal
    default_weight: Decimal
    description: str


DEFAULT_KPIS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "revenue",
        "月度销售额",
        "Monthly revenue",
        "cny",
        "higher",
        "sum",
        Decimal(80000),
        Decimal("0.35"),
        "Revenue of deals won, by close month. Default target 80,000 CNY (the source document's standard).",
    ),
    KpiDefinition(
        "new_customers",
        "新客户开发数",
        "New customers",
        "count",
        "higher",
        "sum",
        Decimal(3),
        Decimal("0.15"),
        "Accounts whose first won deal closed in the month. Default target 3.",
    ),
    KpiDefinition(
        "conversion_rate",
        "客户转化率",
        "Conversion rate",
        "ratio",
        "higher",
        "ratio",
        Decimal("0.25"),
        Decimal("0.10"),
        "Deals won ÷ deals closed (won + lost) in the month.",
    ),
    KpiDefinition(
        "collection_rate",
        "回款率",
        "Collection rate",
        "ratio",
        "higher",
        "ratio",
        Decimal("0.90"),
        Decimal("0.10"),
        "Cash collected ÷ amounts due in the month (finance).",
    ),
    KpiDefinition(
        "follow_ups",
        "客户跟进次数",
        "Follow-ups",
        "count",
        "higher",
        "sum",
        Decimal(40),
        Decimal("0.08"),
        "Logged customer follow-up activities in the month.",
    ),
    KpiDefinition(
        "feedback_score",
        "客户反馈评分",
        "Customer feedback score",
        "score",
        "higher",
        "mean",
        Decimal("4.2"),
        Decimal("0.08"),
        "Mean customer feedback score (1–5) in the month.",
    ),
    KpiDefinition(
        "churn_rate",
        "客户流失率",
        "Customer churn rate",
        "ratio",
        "lower",
        "ratio",
        Decimal("0.15"),
        Decimal("0.09"),
        "Share of the rep's active accounts lost in the month. Lower is better.",
    ),
    KpiDefinition(
        "training_participation",
        "培训参与率",
        "Training participation",
        "ratio",
        "higher",
        "ratio",
        Decimal("0.90"),
        Decimal("0.05"),
        "Sessions attended ÷ sessions enrolled in the month.",
    ),
)
