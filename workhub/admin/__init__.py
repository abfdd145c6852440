"""Admin pages: users, roles, departments, audit log."""
