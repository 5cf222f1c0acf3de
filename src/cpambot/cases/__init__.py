"""Stage 3, cases: facts open and update one case per real problem, with its legal deadlines."""
