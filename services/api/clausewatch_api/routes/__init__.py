"""HTTP routes: the JSON API, the Atom feeds and the web pages."""
