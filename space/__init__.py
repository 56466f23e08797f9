"""The Hugging Face Space: layout, handlers, input checks, ZeroGPU dispatch, uploads, model cache and texts.

The root app.py runs it; fomm_core makes the videos and keeps the ratings, this package only serves them.
"""
