"""Tests of the libecs Python binding (standard library unittest only)."""
