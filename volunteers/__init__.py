"""People and organisation: accounts, roles, areas, grids, teams, consent and duty."""
