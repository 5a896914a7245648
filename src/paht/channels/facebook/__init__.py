"""Facebook Messenger: a Page webhook in, the Send API out."""
