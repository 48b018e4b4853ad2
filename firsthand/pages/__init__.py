"""Pages of the site: views, templates rendered, links checked, the search index."""
