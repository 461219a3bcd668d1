"""Collection policies: ordered stages, each at an offset from the due date, with actions."""
