"""The daily collection cycle: for every open item, which stage is due today, and what to do."""
