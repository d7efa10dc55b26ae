"""Hotspots that move patrols: where incidents and confirmed sightings concentrate, found by the
method that forecasts best, each proposing a temporary patrol point."""
