"""Training and evaluation of the analyzer's clause classifier (not shipped with the service)."""
