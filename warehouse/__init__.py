"""Shared plumbing: configuration, errors, the warehouse files and how they are published."""
