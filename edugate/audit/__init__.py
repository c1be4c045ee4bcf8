"""Audit: who changed what, when and from where. Written inside every action's transaction."""
