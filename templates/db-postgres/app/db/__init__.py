"""The database: SQLAlchemy 2 models (models.py) and the async engine and sessions (session.py)."""
