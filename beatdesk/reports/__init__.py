"""Reports: volume, answer-time and on-time charts over the cases a person may see.

Read only. It counts through `inbox.access.cases_for`, so a report never reaches a case
its reader could not open, and draws its charts itself as inline SVG (`charts.py`).
"""
