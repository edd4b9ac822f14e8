"""The store: SQLModel tables, the engine, and every query and write. No SQL outside this package."""
