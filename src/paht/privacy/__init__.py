"""Personal data (issue 8 item 8): consent records, citizens' rights requests, retention.

Legal frame (research/reliability-anchors.md §5, row 22): Decree 356/2025/ND-CP — answer a data-subject
request within 2 working days and complete it within 15 days; consent must be provable and never
presumed. Reports that reach the city through its own chat accounts or by e-mail are processed as a
legal duty of the receiving authority (Law 91/2025/QH15 Art. 19 exemption, per CDLAF's secondary
summary: to be confirmed by the city's lawyers), and the record says so instead of pretending a
consent that was never asked for.
"""
