import pytest

# Known defect, kept visible until pole/fiscal_years.py is fixed: FiscalYearField
# inherits PositiveSmallIntegerField's MinValueValidator(0) and the backend's
# MaxValueValidator, which compare a FiscalYear with an int, so full_clean() (and
# so every admin or model form saving a fiscal year) raises TypeError.
xfail_fiscal_year_validators = pytest.mark.xfail(
    strict=True,
    raises=TypeError,
    reason="FiscalYearField.run_validators compares FiscalYear with int (inherited Min/MaxValueValidator)",
)
