"""Reading letters: PDF and text, layouts, header, disputed items and their citations."""
