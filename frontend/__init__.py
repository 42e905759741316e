"""The web pages: a family's story shelf and the operators' console, rendered on the server (FastAPI).

Served by uvicorn locally and by functions/web through Mangum in AWS; app.py builds it.
"""
