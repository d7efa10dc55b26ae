"""Patrol points and check-ins at them."""
