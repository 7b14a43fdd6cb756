"""Security tests of issue 7: each hazard, the mitigation that closes it, and a test that fails without it.

=====  ===================================  ============================================================================
hazard                                      tests (this folder, plus earlier tests that already close part of it)
=====  ===================================  ============================================================================
1      outbound requests                    test_sec_outbound.py (a loopback listener counts hits: LOAD, FROM, SERVICE
                                            on both engines, JSON-LD remote @context in query/validate/reason/store,
                                            owl:imports in validate and reason, SERVICE in SHACL-SPARQL shapes);
                                            test_sec_serve.py (SERVICE through ``rtopkg serve``);
                                            ../test_guard.py (SERVICE/FROM/updates in every disguise)
2      injection through parameters         ../test_injection.py (hypothesis, three engines incl. a real Oxigraph);
                                            test_sec_fuzz.py (the ``-p NAME=VALUE`` entry point, every parameter type)
3      partial loads                        test_sec_partial.py (+ the Turtle fuzz in test_sec_fuzz.py)
4      hostile documents                    test_sec_hostile.py (run in a child with bounded CPU time and memory)
5      runaway work                         test_sec_limits.py (RTOPKG_TIMEOUT: query, validate, reason, serve);
                                            ../test_engines.py, ../test_reason.py (--timeout)
6      failing remote endpoints             test_sec_endpoints.py (every failure through the CLI, beside a real
                                            Oxigraph server); ../test_remote.py (the library)
7      encoding                             test_sec_encoding.py (load -> both engines -> export -> publish to a real
                                            Oxigraph -> read back, byte-exact); ../test_export.py, ../test_remote.py
8      default-graph leaks                  test_sec_serve.py (``rtopkg serve``); ../test_engines.py (query, store)
=====  ===================================  ============================================================================

The fuzz tests run ``RTOPKG_FUZZ_EXAMPLES`` examples each (small by default, so CI stays fast); SECURITY.md gives
the command of the longer run.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _hit_counter():
    from support.fake_endpoint import HitCounter

    with HitCounter() as counter:
        yield counter


class Hits:
    """The hits a shared listener received since this test began."""

    def __init__(self, counter):
        self._counter, self._start = counter, counter.hits
        self.url = counter.url

    @property
    def hits(self) -> int:
        import time

        time.sleep(0.05)  # let the listener's thread count a connection just made
        return self._counter.hits - self._start


@pytest.fixture()
def listener(_hit_counter) -> Hits:
    """A loopback TCP listener that counts connections (and answers none): ``.url``, ``.hits``."""
    return Hits(_hit_counter)
