"""`paht bench-data`: a deterministic, seeded generator of a realistic city's worth of reports.

The rows it writes are the rows the real services write (intake, workflow actions, clocks, the overdue
sweep, the outbox, photos, ratings); they are produced in bulk so that a million reports load in
minutes. Derived data (search index, statistics) is rebuilt afterwards by the fillers in `fillers.py`.
"""
