"""Thin blueprints: each route says who it takes, reads its request, calls a service, answers."""
