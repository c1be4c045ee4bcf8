"""Core: cross-cutting pieces (text folding, the console entry point's commands)."""
