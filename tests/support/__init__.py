"""Helpers the test suites share: a real hub in a subprocess, a throwaway PostgreSQL."""
