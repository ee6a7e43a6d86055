"""Money as exact decimals in CNY, rounded to the fen (0.01).

No statute fixes a rounding rule for severance or wages (labour-law-cn.md
CN-M-09), so we round half up to the fen only when presenting or storing a
final amount, never in between.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    code = "invalid_amount"


def to_decimal(value: object) -> Decimal:
    """An exact Decimal from a str, int or Decimal; floats are refused (they are not exact)."""
    if isinstance(value, bool | float):
        raise MoneyError(f"refusing inexact value {value!r}; pass a string or Decimal")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


def to_fen(value: object) -> Decimal:
    """Round an amount to 0.01 CNY, half up."""
    return to_decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def format_cny(amount: Decimal, *, symbol: bool = True) -> str:
    """``¥80,000.00`` — thousands separators, always two decimals."""
    text = f"{to_fen(amount):,.2f}"
    return f"¥{text}" if symbol else text
