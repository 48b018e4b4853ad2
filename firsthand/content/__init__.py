"""Reading a site: front matter, people, stories, pictures, and what is derived from them."""
