"""Citizen notifications: an outbox written with each state change, sent later by a worker."""
