"""What the forkserver that local workers fork from imports (see engine.batch): the engine, and
the table extraction would otherwise build on each worker's first letter, the target matcher
(about 1,100 patterns compiled: a third of a second). Workers then start with it built, its
pages shared copy-on-write."""

from engine.batch import audit_chunk
from engine.facts.analysis import target_matcher

__all__ = ["audit_chunk"]

target_matcher()
