"""Tests that keep the app trustworthy: the access policy, CSRF, fuzzed input (issue 11)."""
