"""Spreadsheet import and export, one module per layer: ``cells`` (what a cell holds and its
widgets), ``readers`` (CSV and XLSX files in and out), ``resources`` (the base resource the
members, activities and partners resources share) and ``admin`` (the admin's import and
export pages)."""
