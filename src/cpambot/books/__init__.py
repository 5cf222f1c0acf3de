"""The professional's books: every invoice the bot heard of, and what is drawn from them."""
