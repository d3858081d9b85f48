"""Activities: every side effect of a grant's workflow (database, mail, disk)."""
