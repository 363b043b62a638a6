"""Configuration and other cross-cutting pieces."""
