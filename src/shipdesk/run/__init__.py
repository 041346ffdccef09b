"""Running shipdesk: the web server, the background worker and the all-in-one demo."""
