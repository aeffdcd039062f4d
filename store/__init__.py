"""Dispute Board's domain and persistence. Knows nothing of Textual (a test enforces it)."""

from .base import CaseStore, ChangeInfo
from .clocks import Clock, Urgency, clocks, countdown, next_deadline, unresponsive, urgency, whose_turn
from .config import Config, ConfigError
from .errors import ConflictError, DamagedDatabase, LockTimeout, NotFound, StoreError, ValidationError
from .model import (EVIDENCE_KINDS, OUTCOMES, PLATFORMS, REASONS, RESOLUTIONS, SENDERS, STAGE_TITLES,
                    STAGES, Case, Deadline, Evidence, HistoryEntry, Message, Proposal)
from .backends.tinydb import TinyStore, open_store
from .users import login_name

__all__ = [name for name in dir() if not name.startswith("_")]
