"""Records and rules: schema, validation, canonical YAML, policy, staff, diffs."""
