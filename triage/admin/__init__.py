"""
The Django admin for content editors and clinical reviewers.

Every content page keeps a history (who, when, what changed) and can revert it; every save is
judged by the safety gate (``triage.gate``) before it is committed.
"""

from triage.admin import content, releases, safety  # noqa: F401  (registers the model admins)
