"""Login and logout, local and LDAP providers, roles, personal tokens and the audit log."""
