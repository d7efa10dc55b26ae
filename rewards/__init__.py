"""Points and what they buy: the ledger, the gift catalog, badges and leaderboards."""
