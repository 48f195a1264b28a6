"""Valuation domain: a pure engine (income, market, cost methods, Monte Carlo) plus service, API and pages."""
