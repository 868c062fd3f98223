"""The content checker: police wording, secrecy and personal data, before anything is published.

The core (`beatdesk.checker.core`) imports no Django, so the web process, workers, the
command line and benchmarks all run the same checks.
"""
