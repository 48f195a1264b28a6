"""The rule of every entity, one module per family of records; importing the package registers them all."""

from ipops.core.authz.entities import accounts, lending, registry, securitisation, statistics, valuations

__all__ = ["accounts", "lending", "registry", "securitisation", "statistics", "valuations"]
