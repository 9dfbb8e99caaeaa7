"""Geodesic measures and coordinate systems: GCJ-02 / BD-09 shifts, CGCS2000 Gauss-Krüger."""
