"""Business logic, kept free of HTTP concerns so it can be tested directly."""
