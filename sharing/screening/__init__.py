"""Screening that goes on: watched applications, each a screening kept alive until
the licence is decided.

An officer saves a screening as a watch (an application reference and a decide-by
date); whenever a denial that the watch's state may read is notified, amended or
renewed, or an end-user or diversion alert published or amended, the watches are
screened against it again, and a new match is told to the state's officers and admins
(docs/architecture.md, "Screening" and "Watched applications"). Screening itself, of
the denials and the alerts in force, lives here too.
"""
