"""Sales, grades and credit (R16, R24–R29): analysis, grading, credit."""
