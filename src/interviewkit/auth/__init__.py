"""Authentication and authorisation: API keys for staff, candidate tokens for one session."""
