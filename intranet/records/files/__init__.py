"""A customer file: its schema, checks, canonical YAML, entries, documents, diffs."""
