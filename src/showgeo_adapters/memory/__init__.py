"""In-memory fakes of every port: the domain's tests and in-process users run on these, and
the contract suites hold them to the same behaviour as the real adapters."""

from showgeo_adapters.memory.clock import FakeClock
from showgeo_adapters.memory.state import MemoryStore
from showgeo_adapters.memory.unit_of_work import MemoryUnitOfWork, memory_uow_factory

__all__ = ["FakeClock", "MemoryStore", "MemoryUnitOfWork", "memory_uow_factory"]
