"""Read spreadsheets (XLSX, CSV) into tables of clean field values; no Flask, no git."""
