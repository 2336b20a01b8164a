"""Demo remedies: filled in by `load_remedies` below."""
