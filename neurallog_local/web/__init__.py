"""The log viewer served at ``/``: a static page (``static/``), its sign-in and sessions
(``sessions``), and the routes that serve them and forward its API calls (``routes``)."""
