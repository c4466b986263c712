"""Figures read from the records by aggregate SQL: the staff dashboard now, the period reports later."""
