"""Both job engines are JobEngines: the methods JobManager calls, with the Protocol's
parameters, and JobManager binds whichever it is given (no probing for `bind`)."""

import inspect

from dramatiq.brokers.stub import StubBroker

from svgrender.jobs.engine import JobEngine
from svgrender.jobs.manager import JobManager
from svgrender.jobs.redis_engine import DramatiqEngine
from svgrender.jobs.runner import EmbeddedRunner
from svgrender.jobs.store import SqliteJobStore


def protocol_methods():
    return [name for name, value in vars(JobEngine).items()
            if callable(value) and not name.startswith("_")]


def test_both_engines_conform(settings):
    assert set(protocol_methods()) == {"bind", "start", "stop", "enqueue", "deliver"}
    for engine in (EmbeddedRunner(), DramatiqEngine(settings, broker=StubBroker())):
        assert isinstance(engine, JobEngine), type(engine)
        for name in protocol_methods():
            wanted = inspect.signature(getattr(JobEngine, name))
            given = inspect.signature(getattr(type(engine), name))
            assert list(given.parameters) == list(wanted.parameters), (type(engine), name)
            assert inspect.iscoroutinefunction(getattr(engine, name)) == \
                inspect.iscoroutinefunction(getattr(JobEngine, name)), (type(engine), name)


def test_the_manager_binds_its_engine(settings, tmp_path):
    from svgrender.api.app import build_service

    service = build_service(settings)
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    embedded = JobManager(service, store, lambda image_id, base: None)
    assert isinstance(embedded.engine, EmbeddedRunner) and embedded.engine.manager is embedded
    assert embedded.engine.store is store
    dramatiq = DramatiqEngine(settings, broker=StubBroker())
    manager = JobManager(service, store, lambda image_id, base: None, dramatiq)
    assert manager.engine is dramatiq and dramatiq.manager is manager
