"""Departments, people and the LDAP directory sync."""
