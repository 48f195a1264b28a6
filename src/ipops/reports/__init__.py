"""Innovation-strength reports, white papers and the audit of published figures."""
