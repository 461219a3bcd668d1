"""Small shared building blocks: money, dates. No knowledge of any domain."""
