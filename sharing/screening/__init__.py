"""Screening that goes on: watched applications, each a screening kept alive until
the licence is decided.

An officer saves a screening as a watch (an application reference and a decide-by
date); whenever a denial that the watch's state may read is notified, amended or
renewed, the watches are screened against it again, and a new match is told to the
watch's owner and their state's officers (docs/architecture.md, "Watched applications").
"""
