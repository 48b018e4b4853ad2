"""What is kept and written: the content-addressed store, the site writer."""
