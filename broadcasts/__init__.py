"""Area broadcasts from the police room to the people on duty (being built)."""
