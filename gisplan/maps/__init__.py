"""Map pages built with folium, served with gisplan's own assets (no CDN)."""
