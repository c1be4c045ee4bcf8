"""The directory: the education tree of units, their domains, people and scoped roles."""
