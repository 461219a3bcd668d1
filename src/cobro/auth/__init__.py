"""Users, memberships and roles, sign-in, server-side web sessions, API tokens, password resets."""
