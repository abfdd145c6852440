"""Meeting transcription: recordings → transcript → minutes.

The inference modules here (`model`, `engine`, `text`, `formats`, `cli`) import neither
Flask nor the database, so the worker, the CLI and the benchmark share one pipeline.
"""
