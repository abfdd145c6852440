"""Devices and communication lines lent for telework: inventory, allocation, requests."""
