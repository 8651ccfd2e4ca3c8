"""The flow in ordered phases: ingest, extract, compose, plan, dispatch."""

from __future__ import annotations
