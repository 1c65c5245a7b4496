"""Loaders of the Assemblée nationale open data: deputies, organes, scrutins, amendements, questions."""
