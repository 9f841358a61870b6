"""Benchmark support shared by scripts/ and the tests: the real service in a child process (`serving`)
and synthetic but realistic CVs and jobs built from ESCO occupations (`synthetic`)."""
