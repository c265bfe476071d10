"""Marketplace domain operations. Each owns its transaction and raises cms.errors.DomainError on refusal."""
