"""Help for step 1: likely duplicates, dispatch and category suggestions, routing rules, "me too"."""
