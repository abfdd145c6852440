"""The durable job queue, the worker process and the periodic-job scheduler.

Other packages use ``workhub.jobs.services`` (enqueue, get, cancel, retry) and declare their
handlers and periodic jobs with ``workhub.jobs.registry``.
"""
