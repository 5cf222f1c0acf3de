"""Stage 4, letters: which letter a case needs now, and its text from the package's templates."""
