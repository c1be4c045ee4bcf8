"""edugate: official email and portals for a provincial education tree."""
