"""Terminal identity and health: enrolment, credentials, self-test."""
