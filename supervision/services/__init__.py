"""Supervision services, one module per sub-capability. The only code that writes supervision tables;
each flushes and appends to the ledger in the caller's transaction, the edge commits."""
