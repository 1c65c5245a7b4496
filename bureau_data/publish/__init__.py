"""The article build: notebooks executed and rendered as the blog's HTML pages."""
