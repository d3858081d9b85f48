"""FastAPI: the JSON API and the server-rendered pages."""
