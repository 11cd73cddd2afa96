"""Request facts of each disputed item, with the letter words that support them."""
