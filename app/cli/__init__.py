"""Command-line entry points installed with the package (`[project.scripts]` in pyproject.toml)."""
