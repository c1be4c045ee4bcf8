"""Portals: every department's, office's and institution's official web portal (Circular 37,
Articles 6, 8 and 9), built on Wagtail's multi-site pages and provisioned from the directory."""
