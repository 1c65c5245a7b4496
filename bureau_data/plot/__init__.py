"""Chart helpers and the French house style of the blog."""
