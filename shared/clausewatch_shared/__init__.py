"""clausewatch's shared contract: events, subjects, streams, settings, logging, persistence and blob storage.

Every service imports this package; it imports no service.
"""
