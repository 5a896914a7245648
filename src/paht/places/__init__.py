"""Places: administrative areas from GeoJSON, each report's area, and map data."""
