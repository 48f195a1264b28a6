"""Finance: structured-finance analytics for IP-backed deals (see the cashflow package)."""
