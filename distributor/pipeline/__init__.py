"""The flow in ordered phases: ingest, extract, compose, plan, dispatch.

``run`` is the orchestration; ``dispatch`` hands due outbox rows to channels and
``email_fanout`` turns a digest into per-batch deliveries.
"""
