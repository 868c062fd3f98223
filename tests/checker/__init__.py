"""Tests of the content checker, one module per behaviour."""
