"""Events: fairs, stalls, registrations and check-in (see the fairs and registration issues)."""
