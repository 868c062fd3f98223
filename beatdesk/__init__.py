"""Beatdesk: the matrix of community-policing channels, from a province down to an officer."""
