"""What a story becomes on social platforms: platform rules, posts, share kits, cards."""
